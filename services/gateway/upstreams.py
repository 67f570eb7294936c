"""The services behind the gateway: a pool of keep-alive connections, a timeout and a breaker per service.

Pooled and lean: a naive httpx proxy kept 13–17 % of upstream throughput here, pooled aiohttp ≈ 100 %
on a roomy machine; on two shared cores even aiohttp's per-request machinery showed, hence http1.Pool
for forwarding (aiohttp remains the client for health probes and the OpenAPI fetch).
"""
import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from services.gateway.breaker import CLOSED, CircuitBreaker
from services.gateway.config import Settings
from services.gateway.http1 import Pool, UpstreamClosed
from services.gateway.metrics import BREAKER_OPEN, UPSTREAM_ERRORS

FAILING_STATUSES = frozenset({502, 503, 504})   # the service (or its proxy) is unwell, not the request


def _is_open(breaker: CircuitBreaker) -> Callable[[], float]:
    return lambda: float(breaker.state != CLOSED)   # half-open counts: the service has not answered yet


class UpstreamUnavailable(Exception):
    def __init__(self, service: str, kind: str, retry_after: float = 5.0):
        super().__init__(f"{service}: {kind}")
        self.service, self.kind, self.retry_after = service, kind, retry_after


@dataclass
class Reply:
    status: int
    raw_headers: list[tuple[bytes, bytes]]   # as the service sent them
    body: bytes


class Upstreams:
    def __init__(self, settings: Settings):
        self.urls = settings.upstreams()
        connector = aiohttp.TCPConnector(limit=0, limit_per_host=settings.max_connections_per_upstream,
                                         keepalive_timeout=30, ttl_dns_cache=300)
        self.client = aiohttp.ClientSession(connector=connector, auto_decompress=False,
                                            skip_auto_headers=("User-Agent", "Accept-Encoding"))
        self.pools = {name: Pool(url, settings.max_connections_per_upstream, settings.connect_timeout_seconds)
                      for name, url in self.urls.items()}
        self.timeouts = {name: settings.timeout_for(name) for name in self.urls}
        self.breakers = {name: CircuitBreaker(settings.breaker_failures, settings.breaker_open_seconds)
                         for name in self.urls}
        for name, breaker in self.breakers.items():   # read at scrape time: no bookkeeping on the request path
            BREAKER_OPEN.labels(name).set_function(_is_open(breaker))

    async def call(self, service: str, method: str, path_qs: str, headers: list[tuple[bytes, bytes]],
                   body: bytes | None = None) -> Reply:
        """One request to a service, or UpstreamUnavailable (down, hung, 502-504, or its breaker open).
        `path_qs` goes on the request line as it is: percent-encoded already."""
        breaker = self.breakers[service]
        if not breaker.allow():
            UPSTREAM_ERRORS.labels(service, "circuit_open").inc()
            raise UpstreamUnavailable(service, "circuit_open", breaker.retry_after())
        try:
            reply = Reply(*await self.pools[service].request(method, path_qs, headers, body, self.timeouts[service]))
        except asyncio.TimeoutError:
            self._failed(service, "timeout")
        except (OSError, UpstreamClosed):   # refused, reset, or closed before a whole answer
            self._failed(service, "connect")
        if reply.status in FAILING_STATUSES:
            UPSTREAM_ERRORS.labels(service, f"http_{reply.status}").inc()
            breaker.failed()
        else:
            breaker.succeeded()
        return reply

    def _failed(self, service: str, kind: str):
        UPSTREAM_ERRORS.labels(service, kind).inc()
        self.breakers[service].failed()
        raise UpstreamUnavailable(service, kind)

    async def health(self) -> dict[str, dict]:
        """Each service's /healthz, asked directly (a health check must not wait on a breaker)."""
        async def probe(name: str, url: str) -> tuple[str, dict]:
            try:
                async with self.client.get(url + "/healthz", timeout=aiohttp.ClientTimeout(total=2)) as r:
                    return name, {"status": "ok" if r.status == 200 else "degraded", "http_status": r.status,
                                  "breaker": self.breakers[name].state}
            except (aiohttp.ClientError, asyncio.TimeoutError) as err:
                return name, {"status": "down", "error": type(err).__name__, "breaker": self.breakers[name].state}
        return dict(await asyncio.gather(*(probe(n, u) for n, u in self.urls.items())))

    async def close(self) -> None:
        for pool in self.pools.values():
            pool.close()
        await self.client.close()
