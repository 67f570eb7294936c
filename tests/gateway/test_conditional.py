"""The gateway's ETags on forwarded GETs: its own over the body when the service sends none, the
service's own otherwise (never a second tag, never the page hashed again), and 304 for a match."""
import pytest

from services.gateway import proxy
from shared.etag import weak_etag

BODY = b'{"items": [1, 2, 3]}'


def get(if_none_match: str | None = None) -> dict:
    headers = [(b"if-none-match", if_none_match.encode())] if if_none_match else []
    return {"method": "GET", "headers": headers}


def test_a_get_without_the_services_etag_is_tagged_over_its_bytes_and_a_match_is_304():
    status, headers, body = proxy.conditional_raw(get(), 200, BODY, [(b"content-type", b"application/json")])
    assert (status, body) == (200, BODY)
    assert [v for k, v in headers if k == b"etag"] == [weak_etag(BODY).encode()]
    assert (b"content-length", str(len(BODY)).encode()) in headers

    status, headers, body = proxy.conditional_raw(get(weak_etag(BODY)), 200, BODY, [])
    assert (status, body) == (304, b"") and (b"etag", weak_etag(BODY).encode()) in headers


def test_the_services_own_etag_is_passed_on_without_hashing_the_body(monkeypatch):
    def no_hashing(body):
        pytest.fail("the body was hashed although the service tagged it")
    monkeypatch.setattr(proxy, "weak_etag", no_hashing)
    own = b'W/"page-7"'
    status, headers, body = proxy.conditional_raw(get(), 200, BODY, [(b"etag", own)])
    assert (status, body) == (200, BODY) and [v for k, v in headers if k == b"etag"] == [own]
    status, headers, body = proxy.conditional_raw(get('W/"page-7"'), 200, BODY, [(b"etag", own)])
    assert (status, body) == (304, b"")


def test_the_tag_changes_with_any_byte_of_the_body():
    assert weak_etag(BODY) != weak_etag(BODY.replace(b"3", b"4"))
    assert weak_etag(BODY).startswith('W/"') and len(weak_etag(BODY)) == 36
