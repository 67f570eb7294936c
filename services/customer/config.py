"""Customer service settings."""
from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "customer"
    database_url: str = "sqlite+aiosqlite:///var/customer.db"
    # Only this service signs tokens; the others hold the public key alone.
    jwt_private_key_file: str = "var/jwt/private.pem"
    # Short access tokens: a revoked session stops working within minutes even where no one checks revocation.
    access_token_minutes: int = 30
    refresh_token_days: int = 14
