"""Customer service settings."""
from decimal import Decimal

from services.customer.rules import TierRules
from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "customer"
    database_url: str = "sqlite+aiosqlite:///var/customer.db"
    # Only this service signs tokens; the others hold the public key alone.
    jwt_private_key_file: str = "var/jwt/private.pem"
    refresh_token_days: int = 14
    # Tier thresholds (CNY); the bank sets them (rules.py holds the defaults and says how they apply).
    tier_gold: Decimal = TierRules.gold
    tier_platinum: Decimal = TierRules.platinum
    tier_private: Decimal = TierRules.private
    tier_corporate_deposits: Decimal = TierRules.corporate_deposits
    tier_corporate_loans: Decimal = TierRules.corporate_loans

    def tier_rules(self) -> TierRules:
        return TierRules(gold=self.tier_gold, platinum=self.tier_platinum, private=self.tier_private,
                         corporate_deposits=self.tier_corporate_deposits, corporate_loans=self.tier_corporate_loans)
