"""Text no database can store is refused up front with the field named, and nothing is written."""
import json

import httpx
from fastapi import FastAPI

from shared.errors import install_error_handlers
from shared.text_guard import TextGuardMiddleware, first_bad_field


def test_nul_and_lone_surrogates_are_found_with_their_path():
    assert first_bad_field({"name": "ok", "contacts": [{"name": "a\x00b"}]}) == "contacts[0].name"
    assert first_bad_field({"name": "\ud88a"}) == "name"
    assert first_bad_field({"name": "华东机电", "note": "ok 😀"}) is None


async def test_json_nested_five_thousand_deep_is_a_422_naming_the_body_not_a_500():
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/echo")
    async def handler(body: dict):
        return body
    app.add_middleware(TextGuardMiddleware)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        for depth in (40, 900, 5000):
            nested = '{"a":' * depth + "1" + "}" * depth
            r = await client.post("/echo", content=nested, headers={"Content-Type": "application/json",
                                                                     "Accept-Language": "en"})
            assert r.status_code == 422, (depth, r.status_code)
            assert r.json()["errors"] == [{"field": "body", "reason": "nested too deeply (limit 32 levels)"}]
        shallow = '{"a":' * 5 + "1" + "}" * 5
        r = await client.post("/echo", content=shallow, headers={"Content-Type": "application/json"})
        assert r.status_code == 200 and r.json() == json.loads(shallow)
