"""Telling the world's failures (retry them) from a message's own (dead-letter it), and waiting
between retries without outliving a stop request."""
import asyncio

from aiokafka.errors import KafkaError
from sqlalchemy import exc as sa_exc


def is_transient(err: BaseException) -> bool:
    """Failures of the world around us (retry forever), as opposed to failures of this message."""
    if isinstance(err, (OSError, asyncio.TimeoutError, sa_exc.OperationalError, sa_exc.InterfaceError,
                        sa_exc.TimeoutError, KafkaError)):
        return True
    if isinstance(err, sa_exc.DBAPIError):
        sqlstate = getattr(err.orig, "sqlstate", None) or ""
        return err.connection_invalidated or sqlstate[:2] in ("08", "40", "53", "57")
    return False


def is_permanent(err: BaseException) -> bool:
    """Failures this message will cause on every attempt — a value it carries that the rules cannot take
    (ValueError, a missing key, arithmetic) or the database refuses as data (SQLSTATE class 22): it is
    dead-lettered at once, since retrying it with back-off only holds up the events behind it."""
    if isinstance(err, (ValueError, TypeError, KeyError, ArithmeticError, sa_exc.DataError)):
        return True
    return isinstance(err, sa_exc.DBAPIError) and (getattr(err.orig, "sqlstate", None) or "")[:2] == "22"


def delay(failures: int, first: float = 0.1, most: float = 5.0) -> float:
    """Exponential back-off: first × 2^failures, at most `most` seconds."""
    return min(first * 2 ** failures, most)


class Stopping(Exception):
    """Raised out of a retry wait when the process is asked to stop: the batch is left uncommitted
    (its offsets too), so the next owner of the partitions applies it."""


async def back_off(stop: asyncio.Event, seconds: float) -> None:
    """Wait before a retry, but not past a stop request: a consumer retrying against a database or
    broker that is away must still end on SIGTERM, not when the orchestrator loses patience."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        return
    raise Stopping
