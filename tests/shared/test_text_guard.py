"""Text no database can store is refused up front with the field named, and nothing is written."""
from shared.text_guard import first_bad_field


def test_nul_and_lone_surrogates_are_found_with_their_path():
    assert first_bad_field({"name": "ok", "contacts": [{"name": "a\x00b"}]}) == "contacts[0].name"
    assert first_bad_field({"name": "\ud88a"}) == "name"
    assert first_bad_field({"name": "华东机电", "note": "ok 😀"}) is None
