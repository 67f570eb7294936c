"""Settings every service shares, read from the environment (one process = one service)."""
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "service"
    # Each process gets its own DATABASE_URL; postgresql://… and sqlite:///… are both accepted.
    database_url: str = "sqlite+aiosqlite:///var/service.db"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Tansu (make run, tests) has no idempotent producer; a real Kafka cluster should turn this on.
    kafka_enable_idempotence: bool = False
    # Kafka's defaults; the bundled Tansu broker holds a group join for half the session timeout, so
    # make run and the tests use 3000/500 (a real Kafka refuses session timeouts under 6 s by default).
    kafka_session_timeout_ms: int = 10000
    kafka_max_poll_records: int = 2000   # one poll is one transaction per partition: bigger batches, fewer commits
    kafka_heartbeat_interval_ms: int = 3000
    topic_partitions: int = 6
    topic_replication_factor: int = 1
    jwt_public_key_file: str = "var/jwt/public.pem"
    jwt_issuer: str = "rm-workbench"
    jwt_audience: str = "rm-workbench"
    # The relay runs in the HTTP app; tests turn it off to simulate a crash before publishing.
    outbox_relay_enabled: bool = True
    outbox_poll_seconds: float = 0.5
    log_level: str = "INFO"
    # Follow session.revoked / staff.changed so revoked tokens are refused here too (tests of one app
    # without a broker turn it off); how far back a starting process reads them.
    revocation_consumer_enabled: bool = True
    access_token_minutes: int = 30
    # Consumers and the scheduler: port of their /livez, /readyz and /metrics listener (shared/health.py);
    # unset, none listens (make run and tests run many on one host).
    health_port: int | None = None
