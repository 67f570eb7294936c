"""One running stack for all of the gateway's end-to-end tests (package scope), with two gateway
replicas on one idempotency store: the roomy one at stack.url("gateway") and a strict one (tiny user
rate, small body limit, quick breaker) at stack.url("gateway-strict"), so limits can be hit without
starving the other tests."""
import sys

import pytest

from tests.e2e.conftest import Api, running_stack
from tools.devstack import GATEWAY_PROTOCOL, free_port, wait_http

APP_ORIGIN = "https://app.rmwb.example.cn"
ROOMY = dict(RATE_USER_PER_SECOND="100000", RATE_USER_BURST="100000", RATE_IP_PER_SECOND="100000",
             RATE_IP_BURST="100000", CORS_ORIGINS=APP_ORIGIN)
STRICT = dict(RATE_USER_PER_SECOND="1", RATE_USER_BURST="5", RATE_IP_PER_SECOND="100000", RATE_IP_BURST="100000",
              MAX_BODY_BYTES="2048", BREAKER_FAILURES="3", BREAKER_OPEN_SECONDS="1", HEADER_TIMEOUT_SECONDS="3")


class GatewayApi(Api):
    def on(self, replica: str) -> "GatewayApi":
        """The same signed-in app, talking to another gateway replica."""
        other = GatewayApi(self.stack)
        other.base, other.tokens, other.signing_in = self.stack.url(replica) + "/api/v1", self.tokens, self.signing_in
        return other


@pytest.fixture(scope="package")
def gateway_api(pg_server, tmp_path_factory):
    backend = "postgres" if pg_server else "sqlite"
    with running_stack(backend, pg_server, tmp_path_factory.mktemp("gateway"), "gateway") as stack:
        stack.stop("gateway")
        stack.start_app("gateway", **ROOMY)
        stack.ports["gateway-strict"], stack.ports["gateway-strict-metrics"] = free_port(), free_port()
        stack.spawn("gateway-strict", [sys.executable, "-m", "uvicorn", "services.gateway.main:app", "--host",
                                       "127.0.0.1", "--port", str(stack.ports["gateway-strict"]), "--no-access-log",
                                       "--http", GATEWAY_PROTOCOL],
                    "gateway", METRICS_PORT=str(stack.ports["gateway-strict-metrics"]), **STRICT)
        for replica in ("gateway", "gateway-strict"):
            wait_http(stack.url(replica) + "/api/v1/healthz")
        yield GatewayApi(stack)
