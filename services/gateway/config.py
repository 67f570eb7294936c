"""Gateway settings: where the services are, how long to wait for them, and how hard to protect them."""
from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "gateway"
    # The idempotency store: shared by every gateway replica (SQLite only for a single `make run` process).
    database_url: str = "sqlite+aiosqlite:///var/gateway.db"
    customer_url: str = "http://127.0.0.1:8001"
    tasks_url: str = "http://127.0.0.1:8002"
    appraisal_url: str = "http://127.0.0.1:8003"
    connect_timeout_seconds: float = 1.0
    upstream_timeout_seconds: float = 4.0   # below the 5 s a phone waits before it gives up on us
    # Per-upstream override, e.g. UPSTREAM_TIMEOUTS='{"appraisal": 2.5}'
    upstream_timeouts: dict[str, float] = {}
    max_connections_per_upstream: int = 200
    # Circuit breaker: after this many consecutive failures an upstream is skipped for breaker_open_seconds,
    # then one probe request decides whether it is back.
    breaker_failures: int = 5
    breaker_open_seconds: float = 10.0
    # Token buckets (per gateway process: N replicas allow N times this; see README).
    rate_user_per_second: float = 50.0
    rate_user_burst: int = 100
    rate_ip_per_second: float = 200.0
    rate_ip_burst: int = 400
    max_body_bytes: int = 1_048_576
    max_page_limit: int = 200
    idempotency_ttl_hours: int = 24
    # App origins allowed by CORS (the phone apps' web views and the H5 build), comma separated.
    cors_origins: str = "http://localhost:3000"
    # A client's request line and headers must arrive within this (slow_clients.py); bodies are bounded apart.
    header_timeout_seconds: float = 10.0
    # Prometheus scrapes /metrics here, inside the cluster; never on the public API port. 0: not served.
    metrics_port: int | None = 9100

    def upstreams(self) -> dict[str, str]:
        return {"customer": self.customer_url, "tasks": self.tasks_url, "appraisal": self.appraisal_url}

    def timeout_for(self, service: str) -> float:
        return self.upstream_timeouts.get(service, self.upstream_timeout_seconds)
