"""Circuit breaker per upstream: stop sending to a service that keeps failing, and probe it back.

closed → (N consecutive failures) → open: every call fails fast, no socket is touched →
(open_seconds later) half-open: exactly one probe goes through → success closes, failure re-opens.
One breaker per upstream per gateway process; replicas learn independently, which is what we want
(each sees its own network path to the service).
"""
import time
from collections.abc import Callable

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitBreaker:
    def __init__(self, failures: int, open_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.threshold, self.open_seconds, self.clock = failures, open_seconds, clock
        self.state, self.failures, self.opened_at = CLOSED, 0, 0.0

    def allow(self) -> bool:
        """May a call go to the upstream now? In half-open only the one probe may."""
        if self.state == CLOSED:
            return True
        if self.clock() - self.opened_at < self.open_seconds:
            return False
        # Time to probe (or the previous probe never reported back): let exactly this call through.
        self.state, self.opened_at = HALF_OPEN, self.clock()
        return True

    def retry_after(self) -> float:
        return max(0.0, self.open_seconds - (self.clock() - self.opened_at))

    def succeeded(self) -> None:
        self.state, self.failures = CLOSED, 0

    def failed(self) -> None:
        self.failures += 1
        if self.state == HALF_OPEN or self.failures >= self.threshold:
            self.state, self.opened_at = OPEN, self.clock()
