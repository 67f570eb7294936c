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


def test_large_movements_are_few_but_present_as_in_a_branch_book():
    """Task rules fire on ≥ 500,000 CNY in a day or ≥ 30 % of a balance out: a realistic stream raises
    them for a small share of movements (a uniform spread of amounts had two in three raise a task)."""
    changes = [e["data"] for _, _, e in generate(2000, 12000, seed=4) if e["type"] == "deposit.changed"]
    large_in = sum(Decimal(d["amount"]) >= 500_000 for d in changes) / len(changes)
    leaving = sum(Decimal(d["amount"]) < 0 and -Decimal(d["amount"]) >= Decimal("0.3") * (Decimal(d["balance"])
                                                                                         - Decimal(d["amount"]))
                  for d in changes) / len(changes)
    assert 0.005 < large_in < 0.15 and 0.005 < leaving < 0.15
