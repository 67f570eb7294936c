"""Customer service settings."""
from decimal import Decimal

from services.customer.rules import LATE_ENTRY_BUSINESS_DAYS, TierRules
from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "customer"
    database_url: str = "sqlite+aiosqlite:///var/customer.db"
    # Only this service signs tokens; the others hold the public key alone.
    jwt_private_key_file: str = "var/jwt/private.pem"
    refresh_token_days: int = 14
    # Sign-in lockout (sign_in_lockout.py): failures allowed free, per account and per caller address (a
    # branch's RMs may share one), then a lock of first_lock seconds that doubles per failure, up to the most.
    sign_in_free_failures_account: int = 5
    sign_in_free_failures_address: int = 50
    sign_in_first_lock_seconds: float = 1.0
    sign_in_max_lock_seconds: float = 900.0
    # Tier thresholds (CNY); the bank sets them (rules.py holds the defaults and says how they apply).
    tier_gold: Decimal = TierRules.gold
    tier_platinum: Decimal = TierRules.platinum
    tier_private: Decimal = TierRules.private
    tier_corporate_deposits: Decimal = TierRules.corporate_deposits
    tier_corporate_loans: Decimal = TierRules.corporate_loans
    # How many business days back an interaction counts without the lead's approval (rules.entry_standing).
    interaction_late_entry_days: int = LATE_ENTRY_BUSINESS_DAYS

    def tier_rules(self) -> TierRules:
        return TierRules(gold=self.tier_gold, platinum=self.tier_platinum, private=self.tier_private,
                         corporate_deposits=self.tier_corporate_deposits, corporate_loans=self.tier_corporate_loans)
