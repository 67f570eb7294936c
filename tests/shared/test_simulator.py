"""The simulator's stream is valid against the contract, reproducible, and consistent with itself."""
import json
from collections import Counter
from decimal import Decimal

from shared.events import parse_event
from tools.simulator import expected_state, generate


def test_every_simulated_event_passes_the_contract():
    for _, key, event in generate(50, 2000, seed=3):
        envelope, data = parse_event(json.dumps(event).encode())
        assert envelope.subject == key == data.customer_id


def test_same_seed_same_stream_and_about_nine_in_ten_are_deposit_changes():
    first = [e for _, _, e in generate(30, 1000, seed=5)]
    assert first == [e for _, _, e in generate(30, 1000, seed=5)]
    kinds = Counter(e["type"] for e in first)
    assert len(first) == 1000 and 0.8 < kinds["deposit.changed"] / 1000 < 0.95
    assert {"loan.disbursed", "loan.due", "loan.repaid"} <= set(kinds)


def test_balances_follow_the_amounts_and_never_go_negative():
    running: dict[str, Decimal] = {}
    for _, _, e in generate(20, 1500, seed=9):
        if e["type"] == "deposit.changed":
            d = e["data"]
            running[d["account_id"]] = running.get(d["account_id"], Decimal(0)) + Decimal(d["amount"])
            assert running[d["account_id"]] == Decimal(d["balance"]) >= 0
    assert running == {k: v for k, v in expected_state(20, 1500, seed=9)["balances"].items()}
