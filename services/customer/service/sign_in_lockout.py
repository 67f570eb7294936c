"""Brute-force defence of sign-in: failed attempts counted per account and per caller address, and a
lockout that doubles with every failure past the free ones (answered 429 with Retry-After).

The account key is the name as typed, whether or not such staff exist, so an unknown name is locked
exactly like a real one and the answers reveal nothing. A success clears its account only: one good
password of the attacker's own must not reset the count of the address it guesses from.

In memory, per process, like the gateway's rate limits: with N replicas an attacker gets up to N times
the attempts, still a handful per account before the lockout reaches its ceiling.
"""
import time
from collections.abc import Callable


class FailureCounter:
    def __init__(self, free_failures: int, first_lock_seconds: float, max_lock_seconds: float,
                 max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic):
        self.free, self.first, self.most = free_failures, first_lock_seconds, max_lock_seconds
        self.max_keys, self.clock = max_keys, clock
        self.failures: dict[str, tuple[int, float, float]] = {}   # key -> (count, round began, locked until)

    def wait(self, key: str) -> float:
        """Seconds until `key` may try again; 0.0 when it may now."""
        entry = self.failures.get(key)
        return max(0.0, entry[2] - self.clock()) if entry else 0.0

    def failed(self, key: str) -> None:
        now = self.clock()
        count, began, _ = self.failures.get(key, (0, now, now))
        if now - began > self.most:   # counts are per round of the longest lock: a branch's occasional
            count, began = 0, now     # typos over a day never add up to locking the whole branch out
        count += 1
        locked = min(self.most, self.first * 2 ** (count - self.free - 1)) if count > self.free else 0.0
        if key not in self.failures and len(self.failures) >= self.max_keys:
            self._forget_quiet(now)
        self.failures[key] = (count, began, now + locked)

    def succeeded(self, key: str) -> None:
        self.failures.pop(key, None)

    def _forget_quiet(self, now: float) -> None:
        """Bound memory: a key whose round is over would start afresh anyway."""
        self.failures = {k: e for k, e in self.failures.items() if now - e[1] <= self.most}
