"""Gateway settings: where the services are and how long to wait for them."""
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "gateway"
    customer_url: str = "http://127.0.0.1:8001"
    tasks_url: str = "http://127.0.0.1:8002"
    appraisal_url: str = "http://127.0.0.1:8003"
    connect_timeout_seconds: float = 1.0
    upstream_timeout_seconds: float = 4.0   # below the 5 s a phone waits before it gives up on us
    max_connections_per_upstream: int = 200
    log_level: str = "INFO"

    def upstreams(self) -> dict[str, str]:
        return {"customer": self.customer_url, "tasks": self.tasks_url, "appraisal": self.appraisal_url}
