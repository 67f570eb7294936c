"""Fault injection for the fault tests, kept out of the production path: installed at start-up only
when its environment variable asks, as hooks on the consumer and the outbox relay."""
import logging
import os

log = logging.getLogger("faults")


def _crash(what: str) -> None:
    log.error("%s: exiting", what)
    os._exit(137)


def install_in_consumer(consumer) -> None:
    """FAULT_CRASH_AFTER_DB_COMMIT=1: die between the database commit and the offset commit."""
    if os.environ.get("FAULT_CRASH_AFTER_DB_COMMIT") == "1":
        consumer.after_commit.append(lambda n: _crash(f"FAULT_CRASH_AFTER_DB_COMMIT after {n} events"))


def install_in_relay(relay) -> None:
    """FAULT_CRASH_BEFORE_PUBLISH=1: die with rows committed to the outbox but not yet published."""
    if os.environ.get("FAULT_CRASH_BEFORE_PUBLISH") == "1":
        relay.before_publish.append(lambda n: _crash(f"FAULT_CRASH_BEFORE_PUBLISH with {n} unpublished rows"))
