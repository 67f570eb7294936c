"""The bank's business days as the customer service needs them (how far back an interaction may be
logged): China's public holidays and 调休 working days from the `holidays` package, as the tasks service's
calendar reads them. The bank's own overrides live with the tasks service; a late-entry window of a few
days does not need them."""
from datetime import date

import holidays

_CHINA = holidays.China()   # expands years lazily as dates are asked about


def is_business_day(day: date) -> bool:
    return _CHINA.is_working_day(day)   # weekends off, holidays off, 调休 Saturdays on
