"""Token buckets for per-user and per-IP rate limits.

In memory, per gateway process: with N replicas behind a load balancer a client gets up to N times the
configured rate. That is the documented trade-off — a shared store (Redis) would cost a network round
trip on every request, and the limits exist to stop runaway clients, not to meter exactly.
"""
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, per_second: float, burst: int, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.max_keys, self.clock = per_second, float(burst), max_keys, clock
        self.buckets: dict[str, list[float]] = {}   # key -> [tokens, last refill time]

    def take(self, key: str) -> float:
        """Spend one token: 0.0 when allowed, else the seconds until the next token."""
        now = self.clock()
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= self.max_keys:
                self._forget_full(now)
            bucket = self.buckets[key] = [self.burst, now]
        tokens = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
        bucket[1] = now
        if tokens >= 1.0:
            bucket[0] = tokens - 1.0
            return 0.0
        bucket[0] = tokens
        return (1.0 - tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        """A bucket that has refilled is the same as no bucket: drop those to bound memory."""
        full_after = self.burst / self.rate
        self.buckets = {k: b for k, b in self.buckets.items() if now - b[1] < full_after}
