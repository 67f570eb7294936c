"""The value types events carry, with the bounds every consumer applies alike.

Money is a Decimal parsed from a decimal string with at most 2 places — a JSON number is refused,
because a float has already lost the cents by the time we see it — and at most 10^15 in size, so a
value every database column can hold is the only kind any service accepts: a value one service
dead-letters and another keeps makes the services disagree for good. Balances and principals are never
negative. Dates must lie within a window around the business date (see parsing.py).
"""
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, GetPydanticSchema, StrictInt
from pydantic_core import core_schema

MONEY_LIMIT = Decimal(10) ** 15
DAYS_OVERDUE_LIMIT = 36_500   # a hundred years: anything longer is a broken feed, not a loan


def _money(value: Any, *, signed: bool = True) -> Decimal:
    if not isinstance(value, str):
        raise ValueError("money must be a decimal string such as \"1200000.00\"")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {value!r}") from None
    exponent = amount.as_tuple().exponent   # a letter for NaN and the infinities
    if not isinstance(exponent, int) or exponent < -2:
        raise ValueError(f"money has at most 2 decimals: {value!r}")
    if abs(amount) > MONEY_LIMIT:
        raise ValueError(f"money is at most 10^15 in size: {value!r}")
    if not signed and amount < 0:
        raise ValueError(f"must not be negative: {value!r}")
    return amount


def _balance(value: Any) -> Decimal:
    return _money(value, signed=False)


Money = Annotated[Decimal, BeforeValidator(_money)]          # a signed amount (a movement, a fee or its reversal)
Balance = Annotated[Decimal, BeforeValidator(_balance)]      # a balance, principal, interest: never negative
DaysOverdue = Annotated[StrictInt, Field(ge=0, le=DAYS_OVERDUE_LIMIT)]
Cif = Annotated[str, Field(min_length=1, max_length=32)]
LoanClass = Literal["normal", "special_mention", "substandard", "doubtful", "loss"]
DepositProduct = Literal["demand", "time", "savings", "margin", "wealth"]


def plain_money_schema(signed: bool) -> GetPydanticSchema:
    """Money in its usual form — digits with at most two decimals, within the limit — checked and
    converted in pydantic's core with no call into Python (the one-pass parse), so the common case pays
    for no Python validator per money field. Any other form, or a refusal, goes the step-by-step way,
    where _money says why."""
    pattern = r"^-?[0-9]{1,16}(\.[0-9]{1,2})?$" if signed else r"^[0-9]{1,16}(\.[0-9]{1,2})?$"
    lowest = -MONEY_LIMIT if signed else Decimal(0)
    return GetPydanticSchema(lambda _type, _handler: core_schema.chain_schema(
        [core_schema.str_schema(pattern=pattern), core_schema.decimal_schema(ge=lowest, le=MONEY_LIMIT)]))


def money_kind(field) -> str | None:
    """"signed" / "unsigned" for a field declared Money / Balance, else None."""
    for meta in field.metadata:
        if isinstance(meta, BeforeValidator) and meta.func in (_money, _balance):
            return "signed" if meta.func is _money else "unsigned"
    return None
