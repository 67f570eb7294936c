"""Business-day calendar and the 30/60-day collection rule (pure logic, fixed dates)."""
from datetime import date

from services.tasks.rules import LoanDueRule, default_rule
from services.tasks.service.calendar import BusinessCalendar

CAL = BusinessCalendar()
LOAN_DUE = LoanDueRule.of(default_rule("loan_due"))   # the numbers in force before an admin changes them
TODAY = date(2026, 8, 3)  # a Monday well before all the due dates below


def test_weekends_and_public_holidays_are_not_business_days():
    assert CAL.is_business_day(date(2026, 11, 25))          # Wednesday
    assert not CAL.is_business_day(date(2026, 11, 28))      # Saturday
    assert not CAL.is_business_day(date(2026, 10, 1))       # National Day
    assert not CAL.is_business_day(date(2026, 10, 7))       # National Day week


def test_swapped_working_saturday_is_a_business_day():
    assert CAL.is_business_day(date(2026, 10, 10))          # 调休: Saturday worked for National Day


def test_bank_override_beats_the_public_calendar():
    cal = BusinessCalendar({date(2026, 11, 25): False, date(2026, 11, 28): True})
    assert not cal.is_business_day(date(2026, 11, 25)) and cal.is_business_day(date(2026, 11, 28))


def test_collection_is_due_30_days_before_the_loan():
    # 2026-12-31 minus 30 days = 2026-12-01, a Tuesday
    assert LOAN_DUE.due_date(CAL, date(2026, 12, 31), False, TODAY) == date(2026, 12, 1)


def test_collection_for_government_borrower_is_due_60_days_before():
    # 2026-12-31 minus 60 days = 2026-11-01, a Sunday -> the Friday before
    assert LOAN_DUE.due_date(CAL, date(2026, 12, 31), True, TODAY) == date(2026, 10, 30)


def test_collection_date_in_a_holiday_moves_back_to_the_last_business_day_before_it():
    # 2026-11-05 minus 30 = 2026-10-06, inside National Day week; last business day before is 09-30
    assert LOAN_DUE.due_date(CAL, date(2026, 11, 5), False, TODAY) == date(2026, 9, 30)


def test_collection_date_on_a_swapped_working_saturday_stays_there():
    # 2026-11-09 minus 30 = 2026-10-10, the Saturday worked in exchange for National Day
    assert LOAN_DUE.due_date(CAL, date(2026, 11, 9), False, TODAY) == date(2026, 10, 10)


def test_loan_already_closer_than_the_lead_is_due_on_the_next_business_day():
    # told on a Saturday about a loan due in 10 days: due Monday, not in the past
    assert LOAN_DUE.due_date(CAL, date(2026, 12, 8), False, date(2026, 11, 28)) == date(2026, 11, 30)


def test_adding_business_days_skips_weekend_and_holidays():
    assert CAL.add_business_days(date(2026, 9, 30), 1) == date(2026, 10, 8)   # over National Day
    assert CAL.add_business_days(date(2026, 11, 27), 3) == date(2026, 12, 2)  # Friday + 3 over a weekend


def test_a_collection_keeps_the_numbers_it_was_made_with_and_falls_back_to_the_defaults():
    assert LoanDueRule.recorded({"rule_lead_days": 25, "rule_lead_days_government": 45}) == LoanDueRule(25, 45)
    assert LoanDueRule.recorded({}) == LOAN_DUE == LoanDueRule(30, 60)
