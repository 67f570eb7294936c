"""What the API takes and gives for customers; internal columns never leak (XCreate / XPublic)."""
import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.customer.models import Customer

CifStr = Annotated[str, Field(pattern=r"^[A-Z0-9]{4,32}$", description="core-banking customer number (客户号)")]


class CustomerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cif: CifStr
    name: Annotated[str, Field(min_length=1, max_length=200)]
    kind: Literal["retail", "corporate"]
    owner: str | None = Field(default=None, description="username of the A岗 manager; default the caller when an RM")
    government_related: bool = False
    industry: str | None = Field(default=None, max_length=100)
    birthday: date | None = None
    phone: Annotated[str, Field(pattern=r"^\+?[0-9\-]{5,20}$")] | None = None
    national_id: Annotated[str, Field(min_length=6, max_length=32)] | None = None


class TransferRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: Annotated[str, Field(min_length=1, max_length=64)]
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class OwnerPublic(BaseModel):
    role: Literal["A", "B"]
    username: str
    since: datetime | None = None


class CustomerPublic(BaseModel):
    id: uuid.UUID
    cif: str
    name: str
    kind: str
    owner: str | None
    owners: list[OwnerPublic]
    tier: str
    status: str
    government_related: bool
    industry: str | None
    birthday: date | None
    phone: str | None
    national_id: str | None
    unit: str
    created_at: datetime

    @classmethod
    def of(cls, c: Customer) -> "CustomerPublic":
        owners = [OwnerPublic(role="A", username=c.owner)] if c.owner else []
        return cls(id=c.id, cif=c.cif, name=c.name, kind=c.kind, owner=c.owner, owners=owners, tier=c.tier,
                   status=c.status, government_related=c.government_related, industry=c.industry,
                   birthday=c.birthday, phone=mask_phone(c.phone), national_id=mask_national_id(c.national_id),
                   unit=c.unit_code, created_at=c.created_at)


class CustomerPage(BaseModel):
    items: list[CustomerPublic]
    next_cursor: str | None


def mask_phone(phone: str | None) -> str | None:
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:] if phone and len(phone) > 7 else phone and "****"


def mask_national_id(nid: str | None) -> str | None:
    return nid[:4] + "*" * (len(nid) - 8) + nid[-4:] if nid and len(nid) > 8 else nid and "****"
