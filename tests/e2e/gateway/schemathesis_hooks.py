"""schemathesis hooks for the fuzz of the merged OpenAPI: besides the values the schema describes, every
body, query and path may come deeply nested or oversized — what an attacker sends (a body nested thousands
deep once failed the text guard with a RecursionError; a year of 10^12, a sequence beyond 64 bits and a
60-character request id failed deeper down). Loaded by the CLI through SCHEMATHESIS_HOOKS."""
import os
from typing import Any

import schemathesis
from hypothesis import strategies as st

# Deeper than any request of the API nests and than the services' guard allows, yet within what the
# client's own JSON encoder can write (Python's recursion limit).
DEPTH = 600
BIG_INT = 10**30          # beyond 64 bits, beyond every column
BIG_FLOAT = 1e308
LONG_BODY_TEXT = 70_000   # characters: longer than every column, well inside the gateway's body limit
LONG_URL_TEXT = 2_000     # longer than every column, inside the 8 KB a URL may have on its way in


def nested(depth: int = DEPTH) -> Any:
    value: Any = "x"
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


def oversized(value: Any, length: int = LONG_BODY_TEXT) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return BIG_INT if value >= 0 else -BIG_INT
    if isinstance(value, float):
        return BIG_FLOAT
    if isinstance(value, str):
        return (value or "字") * (length // len(value or "字"))
    if isinstance(value, dict):
        return {k: oversized(v, length) for k, v in value.items()}
    if isinstance(value, list):
        return [oversized(v, length) for v in value] or [oversized("x", length)]
    return value


def oversized_in_url(value: Any) -> Any:
    return oversized(value, LONG_URL_TEXT)


def deepened(value: Any) -> Any:
    if isinstance(value, dict) and value:
        return {**value, next(iter(value)): nested()}
    return nested()


@schemathesis.hook
def before_generate_body(context, strategy):
    return st.one_of(strategy, strategy.map(oversized), strategy.map(deepened))


@schemathesis.hook
def before_generate_query(context, strategy):
    return st.one_of(strategy, strategy.map(oversized_in_url))


@schemathesis.hook
def before_generate_path_parameters(context, strategy):
    return st.one_of(strategy, strategy.map(oversized_in_url))


def _kinds(value: Any) -> set[str]:
    """Which of our values a request carries: "nested" and/or "oversized" (walked without recursion)."""
    found, stack = set(), [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > 100:
            found.add("nested")
            continue
        if isinstance(item, dict):
            stack += [(v, depth + 1) for v in item.values()]
        elif isinstance(item, list):
            stack += [(v, depth + 1) for v in item]
        elif item in (BIG_INT, -BIG_INT, BIG_FLOAT) or isinstance(item, str) and len(item) >= LONG_URL_TEXT:
            found.add("oversized")
    return found


@schemathesis.hook
def before_call(context, case, kwargs):
    """Tally what was sent (to the file in RMWB_FUZZ_TALLY), so the test knows these values went out."""
    tally = os.environ.get("RMWB_FUZZ_TALLY")
    if tally:
        sent = _kinds(case.body) | _kinds(case.query) | _kinds(case.path_parameters)
        with open(tally, "a") as out:
            out.writelines(f"{kind}\n" for kind in sent)
