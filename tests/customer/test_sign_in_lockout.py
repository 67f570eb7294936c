"""The sign-in failure counter as a state machine, on a clock the test moves."""
from services.customer.service.sign_in_lockout import FailureCounter
from tests.support import Clock


def test_failures_past_the_free_ones_lock_for_a_time_that_doubles_up_to_the_ceiling():
    clock = Clock()
    counter = FailureCounter(free_failures=3, first_lock_seconds=1, max_lock_seconds=60, clock=clock)
    for _ in range(3):
        counter.failed("rm01")
    assert counter.wait("rm01") == 0.0
    locks = []
    for _ in range(8):
        counter.failed("rm01")
        locks.append(counter.wait("rm01"))
    assert locks == [1, 2, 4, 8, 16, 32, 60, 60]
    assert counter.wait("rm02") == 0.0


def test_a_success_clears_the_count_and_a_new_round_starts_afresh():
    clock = Clock()
    counter = FailureCounter(free_failures=1, first_lock_seconds=1, max_lock_seconds=60, clock=clock)
    counter.failed("rm01")
    counter.failed("rm01")
    assert counter.wait("rm01") == 1
    counter.succeeded("rm01")
    assert counter.wait("rm01") == 0.0
    counter.failed("rm02")
    clock.now += 59
    counter.failed("rm02")
    assert counter.wait("rm02") == 1     # the same round: the second failure locks
    clock.now += 2
    counter.failed("rm02")
    assert counter.wait("rm02") == 0.0   # a round lasts the longest lock: the first failure of the next is free


def test_the_counter_forgets_quiet_keys_instead_of_growing_without_bound():
    clock = Clock()
    counter = FailureCounter(free_failures=1, first_lock_seconds=1, max_lock_seconds=60, max_keys=100, clock=clock)
    for n in range(100):
        counter.failed(f"guess-{n}")
    clock.now += 61
    counter.failed("newcomer")
    assert list(counter.failures) == ["newcomer"]
