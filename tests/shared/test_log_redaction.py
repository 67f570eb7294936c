"""Database errors reach the logs without the values in them (a customer's phone number is PII)."""
import io
import logging

import pytest
from sqlalchemy import text

from shared.db import make_engine
from shared.logging import JsonFormatter

PHONE = "13812345678"


@pytest.fixture
async def engine(databases):
    engine = make_engine(await databases("gateway"))
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE contact_probe (phone VARCHAR(11) UNIQUE)"))
        await conn.execute(text("INSERT INTO contact_probe VALUES (:phone)"), {"phone": PHONE})
    yield engine
    await engine.dispose()


def logged(log_call) -> str:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    try:
        log_call(logger)
    finally:
        logger.removeHandler(handler)
    return out.getvalue()


@pytest.mark.parametrize("statement, value", [
    ("INSERT INTO contact_probe VALUES (:value)", PHONE),                      # unique violation: DETAIL quotes it
    ("SELECT CAST(:value AS INTEGER) FROM contact_probe", PHONE[:-1] + "x"),   # driver's own message quotes it
])
async def test_a_failed_statement_logged_with_its_traceback_or_as_an_argument_shows_no_value(engine, statement, value):
    with pytest.raises(Exception) as failure:
        async with engine.begin() as conn:
            await conn.execute(text(statement), {"value": value})
    err = failure.value
    with_traceback = logged(lambda log: log.error("write failed", exc_info=(type(err), err, err.__traceback__)))
    as_argument = logged(lambda log: log.warning("write failed: %s", err))
    for line in (with_traceback, as_argument):
        assert value not in line and "contact_probe" in line   # the statement stays, to find the bug by
