"""Customer service settings."""
from decimal import Decimal

from pydantic import Field

from services.customer.rules import (
    DISCRETIONARY_AUTHORITY,
    LATE_ENTRY_BUSINESS_DAYS,
    SUBMIT_WINDOW,
    ControlRules,
    TierRules,
)
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

    # Controls (rules.py holds the defaults): credit files and complaint handling limits.
    credit_two_investigators_from: Decimal = ControlRules.two_investigators_from
    credit_submit_within_days: int = Field(ControlRules.submit_within_days, ge=SUBMIT_WINDOW[0], le=SUBMIT_WINDOW[1])
    complaint_days_high: int = ControlRules.complaint_days_high
    complaint_days_medium: int = ControlRules.complaint_days_medium
    complaint_days_low: int = ControlRules.complaint_days_low
    hosting_budget: Decimal = ControlRules.hosting_budget
    callback_rate: Decimal = ControlRules.callback_rate
    callback_minimum: int = ControlRules.callback_minimum
    # 通融权限 by grade, CNY per case (rules.discretionary_authority); JSON in the environment
    discretionary_authority: dict[str, Decimal] = Field(default_factory=lambda: dict(DISCRETIONARY_AUTHORITY))

    def control_rules(self) -> ControlRules:
        return ControlRules(two_investigators_from=self.credit_two_investigators_from,
                            submit_within_days=self.credit_submit_within_days,
                            complaint_days_high=self.complaint_days_high,
                            complaint_days_medium=self.complaint_days_medium, complaint_days_low=self.complaint_days_low,
                            hosting_budget=self.hosting_budget, callback_rate=self.callback_rate,
                            callback_minimum=self.callback_minimum)

    def tier_rules(self) -> TierRules:
        return TierRules(gold=self.tier_gold, platinum=self.tier_platinum, private=self.tier_private,
                         corporate_deposits=self.tier_corporate_deposits, corporate_loans=self.tier_corporate_loans)
