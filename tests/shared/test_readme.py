"""README is for someone who runs, calls and operates the system: short, and every link it gives leads
somewhere that exists (docs and images in the repository, make targets in the Makefile)."""
import re
from pathlib import Path

from services.appraisal.rules import BOTTOM_SHARE
from services.tasks.rules import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_the_readme_stays_under_two_hundred_lines():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 200


def test_every_relative_link_in_the_readme_and_docs_names_a_file_that_exists():
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text()):
            if "://" in target:
                continue
            assert (doc.parent / target).exists(), f"{doc.name} links to {target}, which does not exist"


def test_every_make_target_the_readme_names_exists():
    targets = set(re.findall(r"^([a-z-]+):", (ROOT / "Makefile").read_text(), re.M))
    named = set(re.findall(r"`make ([a-z-]+)", (ROOT / "README.md").read_text()))
    named |= set(re.findall(r"^make ([a-z-]+)", (ROOT / "README.md").read_text(), re.M))
    assert named and named <= targets, named - targets


def test_the_readmes_rule_tables_state_the_rules_default_numbers():
    """README's "Daily tasks" table and the appraisal paragraph say what the rules do by default: a changed
    default (or a README row left behind) fails here."""
    readme = (ROOT / "README.md").read_text()

    def n(rule: str, param: str) -> int:
        return DEFAULTS[rule][2][param]

    def money(amount: int) -> str:
        return f"{amount:,}"

    rows = {line.split("|")[1].strip(): line for line in readme.splitlines() if line.startswith("| ")}
    loan_due = rows["`loan.due`"]
    assert f"{n('loan_due', 'lead_days')} days before" in loan_due
    assert f"{n('loan_due', 'lead_days_government')} for a government-related loan" in loan_due
    outflow = next(line for key, line in rows.items() if "outflow" in key)
    assert (f"≥ {money(n('large_outflow', 'amount'))}" in outflow
            and f"≥ {n('large_outflow', 'share_of_balance_pct')} % of the day's opening balance" in outflow
            and f"≥ {money(n('large_outflow', 'share_floor_amount'))}" in outflow)
    assert f"within {n('first_business_thanks', 'hours')} clock hours" in rows["a new customer's first account or loan"]
    assert f"{n('b_manager_missing', 'business_days')} / {n('tier_above_grade', 'business_days')} business days" in \
        next(line for key, line in rows.items() if "without a B岗" in key)
    assert f"{n('time_deposit_maturity', 'lead_days')} days before maturity" in rows["`deposit.opened` time deposit"]
    assert f"{n('tier_review', 'business_days')} business days" in rows["`customer.tier-changed`"]
    assert f"{n('contact_remarketing', 'business_days')} business days" in rows["`customer.contact-changed`"]
    assert f"within {n('post_loan_inspection', 'first_within_days')} days" in rows["`loan.disbursed`"]
    # the cumulative maintenance plans and the contact cadence
    cadence = {1: "every month", 3: "every quarter", 6: "every half-year"}
    flat = " ".join(readme.split())   # prose wraps anywhere
    plans = [f"{cadence[n('maintenance_plan', f'months_{band}')]}{also} for {whom}≥ {floor}" for band, also, whom, floor
             in (("gold", "", "customers ", "500k"), ("platinum", " also", "", "1M"), ("private", " also", "", "2M"))]
    assert "cumulative: " + ", ".join(plans) in flat
    assert {n("maintenance_visit", f"months_{b}") for b in ("gold", "platinum", "private", "one_to_one")} == {1}
    assert "a monthly contact by default for every band" in flat
    assert f"末尾淘汰 is proposed at the annual close only ({BOTTOM_SHARE * 100:.0f} %" in flat
