"""A refused field's reason is in the reader's language (no pydantic English inside a Chinese answer)
and names what is allowed: the values, the bounds or the format."""
import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import httpx
import pytest
from fastapi import FastAPI, Query
from pydantic import BaseModel, ConfigDict, Field

from services.appraisal import texts as appraisal_texts  # noqa: F401 - registers the appraisal formats
from services.appraisal.schemas import MonthField
from shared.errors import install_error_handlers


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Decimal | None = None
    status: Literal["open", "done"] | None = None
    month: MonthField | None = None
    when: datetime | None = None
    day: date | None = None
    name: Annotated[str, Field(min_length=2, max_length=5)] | None = None
    count: Annotated[int, Field(ge=1, le=9)] | None = None
    ids: Annotated[list[uuid.UUID], Field(max_length=2)] | None = None
    flag: bool | None = None


app = FastAPI()
install_error_handlers(app)


@app.post("/things")
async def things(body: Body, limit: Annotated[int, Query(ge=1, le=200)] = 50):
    return {}


BAD = [  # field, value, what the Chinese reason must say
    ("amount", "12万", "1200000.00"),
    ("status", "closed", "'open'、'done'"),
    ("month", "2026-13", "YYYY-MM"),
    ("when", "yesterday", "ISO 8601"),
    ("day", "2026/12/01", "YYYY-MM-DD"),
    ("name", "x", "至少 2 个字符"),
    ("name", "abcdefg", "最多 5 个字符"),
    ("count", 0, "不小于 1"),
    ("count", 10, "不大于 9"),
    ("count", "ten", "整数"),
    ("ids", ["nope"], "UUID"),
    ("ids", [str(uuid.uuid4()) for _ in range(3)], "最多 2 项"),
    ("flag", "perhaps", "true 或 false"),
    ("colour", "red", "不支持的字段"),
]


@pytest.mark.parametrize(("field", "value", "says"), BAD, ids=[f"{b[0]}={b[1]!r}"[:40] for b in BAD])
async def test_a_refused_field_reads_in_chinese_and_names_what_is_allowed(field, value, says):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        zh = await client.post("/things", json={field: value})
        en = await client.post("/things", json={field: value}, headers={"Accept-Language": "en"})
    [error] = zh.json()["errors"]
    assert zh.status_code == 422 and error["field"].split(".")[0] == field
    assert says in error["reason"], error["reason"]
    prose = re.sub(r"'[^']*'|[A-Z]{2,}[-A-Za-z0-9 :+.]*|true|false|UUID|ISO 8601", "", error["reason"])
    assert not re.search(r"[A-Za-z]{3,}", prose), f"English inside the Chinese reason: {error['reason']}"
    [english] = en.json()["errors"]
    assert english["reason"] != error["reason"] and not re.search(r"[\u4e00-\u9fff]", english["reason"])


async def test_a_query_bound_names_the_bound_in_either_language():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        zh = await client.post("/things", params={"limit": 500}, json={})
        en = await client.post("/things", params={"limit": 500}, json={}, headers={"Accept-Language": "en"})
    assert zh.json()["errors"] == [{"field": "limit", "reason": "应不大于 200"}]
    assert en.json()["errors"] == [{"field": "limit", "reason": "must be at most 200"}]


async def test_a_body_that_does_not_decode_is_a_422_naming_the_body_not_an_internal_error():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        r = await client.post("/things", content=b"l\xff\xd7\x8ef\x02", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"] == [{"field": "body", "reason": "请求体不是有效的 JSON"}]
