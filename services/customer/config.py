"""Customer service settings."""
from decimal import Decimal

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
    # Tier thresholds (CNY); the bank sets them, these are the domain defaults (tier.py says how they apply).
    tier_gold: Decimal = Decimal("500000")
    tier_platinum: Decimal = Decimal("1000000")
    tier_private: Decimal = Decimal("2000000")
    tier_corporate_deposits: Decimal = Decimal("100000")
    tier_corporate_loans: Decimal = Decimal("500000")
