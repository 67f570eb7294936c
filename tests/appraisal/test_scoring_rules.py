"""Pure rules: interval overlap, scoring functions, grade boundaries, the bottom band, and that the
ledger fold does not depend on the order facts arrive in."""
import copy
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from services.appraisal.config import Settings
from services.appraisal.models import ScorecardSnapshot
from services.appraisal.rules import (
    DEFAULT_KPIS,
    balance_point,
    bottom_band,
    deed,
    grade_of,
    loan_flow,
    rank,
    score,
    valid_bottom_share,
    validate_definitions,
)
from services.appraisal.service.attribution import keep_latest, overlap_days, spans_from_points

LINEAR = {"weight": "30", "scoring": {"kind": "linear", "cap": "1.2"}}


def test_overlap_counts_half_open_days_and_runs_open_ends_to_the_period_end():
    assert overlap_days(10, 41, (5, 20), (15, None)) == 5          # days 15..19
    assert overlap_days(10, 41, (5, None), (1, None)) == 31         # the whole period
    assert overlap_days(10, 41, (41, None), (1, None)) == 0         # starts after the period
    assert overlap_days(10, 41, (5, 20), (20, 30)) == 0             # a transfer day is not counted twice


@pytest.mark.parametrize("raw,target,points", [
    ("400000", "400000", "30.00"), ("200000", "400000", "15.00"), ("600000", "400000", "36.00"),   # capped at 1.2
    ("1", "3", "10.00"), ("0", "400000", "0.00")])
def test_linear_scoring_is_proportional_to_target_and_capped(raw, target, points):
    assert score(LINEAR, Decimal(raw), Decimal(target)) == Decimal(points)


def test_without_a_target_or_data_a_kpi_is_not_scored():
    assert score(LINEAR, Decimal(5), None) is None and score(LINEAR, None, Decimal(5)) is None


def test_threshold_floor_ceiling_and_bonus_penalty_items():
    on_time = {"weight": "10", "scoring": {"kind": "linear", "cap": "1.0", "target": "1.00", "floor": "0.6"}}
    assert (score(on_time, Decimal("0.6"), None), score(on_time, Decimal("0.59"), None)) == (Decimal("6.00"), 0)
    npl = {"weight": "15", "scoring": {"kind": "ceiling", "max": "0.003"}}
    assert (score(npl, Decimal("0.003"), None), score(npl, Decimal("0.0031"), None)) == (Decimal(15), 0)
    bonus = {"weight": "0", "scoring": {"kind": "per_unit", "points": "0.5", "max": "3"}}
    assert (score(bonus, Decimal(4), None), score(bonus, Decimal(10), None), score(bonus, Decimal(-10), None)) == \
        (Decimal("2.00"), Decimal(3), Decimal(-3))


@pytest.mark.parametrize("total,grade", [("90", "优秀"), ("89.99", "良好"), ("80", "良好"), ("70", "合格"),
                                         ("69.99", "基本合格"), ("60", "基本合格"), ("59.99", "不合格")])
def test_five_grades_by_total(total, grade):
    assert grade_of(Decimal(total))[0] == grade


def _cards(unit: str, totals: list[int]) -> list[ScorecardSnapshot]:
    return [ScorecardSnapshot(period="2026", username=f"{unit}-rm{i:03d}", unit=unit, card={}, total=Decimal(t),
                              grade="", rank_bank=0, rank_unit=0) for i, t in enumerate(totals)]


def test_ties_share_a_rank_and_ranking_flags_nobody():
    cards = _cards("SB01", [100 - i for i in range(40)]) + _cards("SB02", [100])
    rank(cards)
    assert {c.username: c.rank_bank for c in cards if c.total == 100} == {"SB01-rm000": 1, "SB02-rm000": 1}
    assert not any(c.flagged for c in cards)


def test_the_bottom_band_proposes_the_share_of_each_unit_large_enough_for_it():
    big, small = _cards("SB01", [50 + (i * 37) % 50 for i in range(100)]), _cards("SB02", list(range(10)))
    lowest = sorted(big, key=lambda c: (c.total, c.username))
    assert bottom_band(big + small) == [c.username for c in lowest[:3]]                 # 3 % of 100, default
    assert bottom_band(big + small, Decimal("0.05")) == [c.username for c in lowest[:5]]
    assert bottom_band(small, min_headcount=10) == ["SB02-rm000"]                     # floor(0.3) → at least one
    assert bottom_band(small) == []                                                   # 10 < the minimum headcount


@pytest.mark.parametrize("share,ok", [("0.03", True), ("0.05", True), ("0.029", False), ("0.06", False)])
def test_the_bottom_share_is_refused_outside_the_banks_three_to_five_percent(share, ok):
    assert valid_bottom_share(Decimal(share)) is ok
    if ok:
        assert Settings(bottom_share=share).bottom_share == Decimal(share)
    else:
        with pytest.raises(ValidationError, match="bottom_share"):
            Settings(bottom_share=share)


def test_the_later_fact_of_a_day_wins_whatever_order_they_arrive_in():
    facts = [((1,), 5, ("09:00", "b"), "45000"), ((1,), 5, ("15:00", "a"), "41000"), ((1,), 2, ("08:00", "c"), "40000")]
    built = []
    for order in (facts, facts[::-1]):
        points: dict = {}
        for key, day, tie, value in order:
            keep_latest(points, key, day, tie, value)
        built.append(sorted(spans_from_points(points)))
    assert built[0] == built[1] == [((1,), 2, 5, "40000"), ((1,), 5, None, "41000")]


def test_a_kpi_set_that_could_not_be_scored_is_refused_before_it_breaks_every_card():
    broken = copy.deepcopy(DEFAULT_KPIS)
    del broken[0]["params"]
    del broken[1]["name_en"]
    broken[2]["indicator"] = "profit"
    problems = validate_definitions(broken)
    assert problems == [("params_incomplete", {"code": "deposits"}), ("missing", {"code": "loans", "fields": "name_en"}),
                        ("unknown_indicator", {"code": "asset_quality", "indicator": "profit"})]
    assert validate_definitions(DEFAULT_KPIS) == []


def test_a_closure_sets_nil_in_the_product_the_account_had_and_an_unknown_product_takes_the_kinds_default():
    closure = SimpleNamespace(account_id="D1", customer_id="C1")
    assert balance_point("deposit.closed", closure, "time") == {
        "kind": "deposit", "cif": "C1", "product": "time", "balance": Decimal(0)}
    assert balance_point("deposit.closed", closure, None)["product"] == "demand"
    repayment = SimpleNamespace(loan_id="L1", customer_id="C1", outstanding_balance=Decimal("9.00"))
    assert (balance_point("loan.repaid", repayment, None)["product"],
            balance_point("loan.repaid", repayment, None)["balance"]) == ("loan", Decimal("9.00"))


def test_a_falling_due_is_one_fact_per_loan_and_due_date_whatever_its_id_and_a_repayment_one_per_event():
    due = SimpleNamespace(loan_id="L1", due_date=date(2026, 11, 5), principal_due=Decimal("260000.00"),
                          interest_due=Decimal("350.00"))
    assert loan_flow("loan.due", "id-1", due)[0] == loan_flow("loan.due", "id-2", due)[0] == "due:L1:2026-11-05"
    from_ledger = SimpleNamespace(loan_id="L1", due_date="2026-11-05", principal_due="260000.00", interest_due="350.00")
    assert loan_flow("loan.due", "id-3", from_ledger) == loan_flow("loan.due", "id-1", due)   # parsed or replayed
    paid = SimpleNamespace(loan_id="L1", repaid_on=date(2026, 10, 6), principal_paid=Decimal("1.00"),
                           interest_paid=Decimal("0.00"))
    assert loan_flow("loan.repaid", "id-4", paid) == (
        "id-4", date(2026, 10, 6).toordinal(), {"principal_paid": "1.00", "interest_paid": "0.00"})


def test_a_deed_is_credited_to_the_person_named_on_its_own_day_and_to_nobody_when_none_is_named():
    task = SimpleNamespace(assignee="rm01", completed_on="2026-10-15", on_time=False)
    assert deed("task.completed", task, date(2026, 10, 20)) == {
        "kind": "task_completed", "username": "rm01", "day": date(2026, 10, 15).toordinal(), "on_time": False}
    won_on_its_business_date = deed("customer.won", SimpleNamespace(owner="rm02"), date(2026, 10, 20))
    assert won_on_its_business_date["day"] == date(2026, 10, 20).toordinal()
    assert deed("customer.won", SimpleNamespace(owner=None), date(2026, 10, 20)) is None
