"""The grade reach and the B岗 rule, decided in one place for both services: the customer service's
ownership check and the tasks service's lead alerts give the same answer for every grade and tier."""
import pytest

from services.customer.rules import backup_tiers, grade_allows
from services.tasks.rules import above_grade, needs_b_manager
from shared.tiers import GRADE_REACH, TIER_HEIGHT, needs_backup

# domain.md, Roles: a grade caps the tier an RM may own (junior gold, intermediate platinum / one-to-one,
# senior and expert private)
MAY_OWN = {"junior": {"standard", "gold"},
           "intermediate": {"standard", "gold", "platinum", "one_to_one"},
           "senior": set(TIER_HEIGHT), "expert": set(TIER_HEIGHT)}


@pytest.mark.parametrize("grade", sorted(MAY_OWN))
@pytest.mark.parametrize("tier", sorted(TIER_HEIGHT))
def test_the_owner_check_and_the_leads_alert_agree_for_every_grade_and_tier(grade, tier):
    assert grade_allows(grade, tier) is (tier in MAY_OWN[grade])
    assert above_grade(tier, grade) is (tier not in MAY_OWN[grade])


def test_an_ungraded_rm_may_own_standard_only_but_raises_no_alert_for_a_grade_nobody_told_us():
    assert [t for t in TIER_HEIGHT if grade_allows(None, t)] == ["standard"]
    assert not grade_allows("trainee", "gold")                   # a grade the bank has not set reaches nothing
    assert not above_grade("private", None) and not above_grade("private", "trainee")
    assert set(GRADE_REACH) == set(MAY_OWN)


def test_retail_customers_from_gold_up_need_a_b_manager_in_both_services():
    assert set(backup_tiers()) == {"gold", "platinum", "one_to_one", "private"}
    for tier in TIER_HEIGHT:
        assert needs_backup("corporate", tier) is False
        assert needs_b_manager("retail", tier, None) is needs_backup("retail", tier) is (tier != "standard")
        assert needs_b_manager("retail", tier, "rm02") is False
    assert needs_backup("retail", None) is False
