"""The gateway's breaker and rate limiter as state machines, on a clock the test moves."""
from services.gateway.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker
from services.gateway.ratelimit import RateLimiter
from tests.support import Clock


def test_breaker_opens_after_consecutive_failures_and_fails_fast_while_open():
    clock = Clock()
    breaker = CircuitBreaker(failures=3, open_seconds=10, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.failed()
    breaker.succeeded()            # a success in between resets the count: failures must be consecutive
    for _ in range(3):
        assert breaker.allow()
        breaker.failed()
    assert breaker.state == OPEN
    clock.now += 9.9
    assert not breaker.allow() and 0 < breaker.retry_after() <= 0.2


def test_breaker_lets_one_probe_through_after_the_open_period_and_closes_on_its_success():
    clock = Clock()
    breaker = CircuitBreaker(failures=1, open_seconds=5, clock=clock)
    breaker.failed()
    clock.now += 5
    assert breaker.allow() and breaker.state == HALF_OPEN
    assert not breaker.allow()     # while the probe is out, everyone else still fails fast
    breaker.succeeded()
    assert breaker.state == CLOSED and breaker.allow()


def test_a_failed_probe_reopens_the_breaker_for_another_full_period():
    clock = Clock()
    breaker = CircuitBreaker(failures=5, open_seconds=5, clock=clock)
    for _ in range(5):
        breaker.failed()
    clock.now += 5
    assert breaker.allow()
    breaker.failed()               # one failure in half-open is enough, whatever the threshold
    assert breaker.state == OPEN and not breaker.allow()
    clock.now += 5
    assert breaker.allow()


def test_a_probe_that_never_reports_back_does_not_wedge_the_breaker_half_open():
    clock = Clock()
    breaker = CircuitBreaker(failures=1, open_seconds=5, clock=clock)
    breaker.failed()
    clock.now += 5
    assert breaker.allow()         # the probe's request is cancelled and never reports
    clock.now += 5
    assert breaker.allow()


def test_rate_limiter_allows_the_burst_then_refuses_with_the_wait_until_the_next_token():
    clock = Clock()
    limiter = RateLimiter(per_second=2, burst=3, clock=clock)
    assert [limiter.take("rm01") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("rm01") == 0.5
    assert limiter.take("rm02") == 0.0          # buckets are per key
    clock.now += 0.5
    assert limiter.take("rm01") == 0.0
    assert limiter.take("rm01") > 0


def test_rate_limiter_forgets_refilled_buckets_instead_of_growing_without_bound():
    clock = Clock()
    limiter = RateLimiter(per_second=10, burst=10, max_keys=100, clock=clock)
    for i in range(100):
        limiter.take(f"ip-{i}")
    clock.now += 2                               # every bucket is full again: same as unknown
    limiter.take("newcomer")
    assert len(limiter.buckets) == 1
