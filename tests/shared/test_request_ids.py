"""X-Request-ID: a caller's id is kept only when every table that records it can store it."""
import httpx
from fastapi import FastAPI
from sqlmodel import SQLModel

import services.appraisal.main  # noqa: F401 - their tables, in the metadata this test reads
import services.customer.main  # noqa: F401
import services.tasks.main  # noqa: F401
from shared.logging import MAX_REQUEST_ID, RequestContextMiddleware


def test_the_longest_kept_request_id_fits_every_column_that_stores_one():
    widths = [column.type.length for table in SQLModel.metadata.tables.values() for column in table.columns
              if column.name == "request_id" and getattr(column.type, "length", None)]
    assert widths and MAX_REQUEST_ID <= min(widths)


async def test_an_id_of_65_to_128_characters_or_unprintable_is_replaced_and_a_fitting_one_kept():
    app = FastAPI()

    @app.get("/rid")
    async def rid():
        from shared.logging import request_id_var
        return {"seen": request_id_var.get()}
    wrapped = RequestContextMiddleware(app, service="test")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wrapped), base_url="http://test") as client:
        for sent in ("a" * 65, "b" * 128, "bad\tid"):
            r = await client.get("/rid", headers={"X-Request-ID": sent})
            assert r.json()["seen"] == r.headers["x-request-id"] != sent
            assert len(r.headers["x-request-id"]) <= MAX_REQUEST_ID
        kept = "trace-" + "c" * 58
        r = await client.get("/rid", headers={"X-Request-ID": kept})
        assert r.json()["seen"] == r.headers["x-request-id"] == kept
