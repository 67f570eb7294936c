"""What a valid customer field looks like: CIF, resident ID (GB 11643), unified social credit code
(GB 32100), mainland mobile number. Used as pydantic types, so a bad value is a 422 naming its field
before anything is written."""
import re
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"   # GB 32100 alphabet: no I, O, S, V, Z
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def national_id_check_digit(first17: str) -> str:
    """GB 11643 ISO 7064 MOD 11-2 check character of an 18-character resident ID."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def is_national_id(value: str) -> bool:
    return (bool(re.fullmatch(r"\d{17}[\dX]", value)) and national_id_check_digit(value[:17]) == value[17]
            and 1 <= int(value[10:12]) <= 12 and 1 <= int(value[12:14]) <= 31)


def credit_code_check_char(first17: str) -> str:
    """GB 32100 check character of an 18-character unified social credit code."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def is_credit_code(value: str) -> bool:
    return (len(value) == 18 and all(c in _USCC_CHARS for c in value)
            and credit_code_check_char(value[:17]) == value[17])


def _national_id(value: str) -> str:
    value = value.strip().upper()
    if not is_national_id(value):
        raise PydanticCustomError("national_id_invalid", "not a valid resident ID number")
    return value


def _credit_code(value: str) -> str:
    value = value.strip().upper()
    if not is_credit_code(value):
        raise PydanticCustomError("credit_code_invalid", "not a valid unified social credit code")
    return value


def _mobile(value: str) -> str:
    digits = re.sub(r"[\s-]", "", value)
    digits = digits[3:] if digits.startswith("+86") else digits
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        raise PydanticCustomError("phone_invalid", "not a mainland mobile number")
    return digits


CIF_PATTERN = r"^[A-Z0-9]{4,32}$"
CODE_PATTERN = r"^[A-Z0-9]{2,32}$"       # org unit and team codes
USERNAME_PATTERN = r"^[a-z0-9_.]{2,64}$"
CifStr = Annotated[str, Field(pattern=CIF_PATTERN, description="core-banking customer number (客户号)")]
NationalId = Annotated[str, Field(max_length=18), AfterValidator(_national_id)]
CreditCode = Annotated[str, Field(max_length=18), AfterValidator(_credit_code)]
MobilePhone = Annotated[str, Field(max_length=20), AfterValidator(_mobile)]
