"""What the API takes and gives for customers; internal columns never leak (XCreate / XUpdate / XPublic)."""
import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.customer.models import Customer, CustomerOwnership
from services.customer.pii import mask_national_id, mask_phone
from services.customer.validation import CifStr, CreditCode, MobilePhone, NationalId

# The bank's industry policy (行业政策): maintain / grow / control-and-exit.
INDUSTRY_POLICY = {"telecom": "maintain", "power": "maintain", "transport": "maintain", "education": "grow",
                   "ports": "grow", "electronics": "grow", "steel": "control", "cement": "control",
                   "real_estate": "control"}
Status = Literal["prospect", "new", "active", "inactive", "exited"]
Text = Annotated[str, Field(min_length=1, max_length=300)]


class CustomerFields(BaseModel):
    """Master fields a person may set at registration or change later."""
    model_config = ConfigDict(extra="forbid")
    industry: str | None = Field(default=None, max_length=100)
    birthday: date | None = None
    phone: MobilePhone | None = None
    national_id: NationalId | None = Field(default=None, description="resident ID (retail; legal rep. for corporate)")
    credit_code: CreditCode | None = Field(default=None, description="unified social credit code (corporate)")
    address: Text | None = None
    risk_preference: Literal["conservative", "moderate", "balanced", "growth", "aggressive"] | None = None
    credit_rating: Annotated[str, Field(max_length=10)] | None = None


class CustomerCreate(CustomerFields):
    cif: CifStr
    name: Annotated[str, Field(min_length=1, max_length=200)]
    kind: Literal["retail", "corporate"]
    owner: str | None = Field(default=None, description="username of the A岗 manager; default the caller when an RM")
    government_related: bool = False
    status: Literal["prospect", "new"] = "new"
    source_channel: Literal["referral", "inactive_revisit", "media", "event", "cold_call", "walk_in", "other"] | None \
        = None
    referred_by: CifStr | None = None


class CustomerUpdate(CustomerFields):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    status: Literal["new", "active", "inactive", "exited"] | None = None


class TransferRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: Annotated[str, Field(min_length=1, max_length=64)]
    reason: Annotated[str, Field(min_length=1, max_length=500)]
    role: Literal["A", "B"] = "A"


class OwnerPublic(BaseModel):
    role: Literal["A", "B"]
    username: str
    since: datetime | None = None


class OwnershipPublic(BaseModel):
    role: str
    owner: str
    owner_team: str | None
    effective_from: datetime
    effective_to: datetime | None
    reason: str | None
    assigned_by: str

    @classmethod
    def of(cls, row: CustomerOwnership) -> "OwnershipPublic":
        return cls.model_validate(row, from_attributes=True)


class CustomerPublic(BaseModel):
    id: uuid.UUID
    cif: str
    name: str
    kind: str
    owner: str | None
    backup_owner: str | None = None
    owners: list[OwnerPublic]
    tier: str
    status: str
    government_related: bool
    industry: str | None
    industry_policy: str | None = None
    birthday: date | None
    phone: str | None
    national_id: str | None
    credit_code: str | None = None
    address: str | None = None
    risk_preference: str | None = None
    credit_rating: str | None = None
    prospect_stage: str | None = None
    source_channel: str | None = None
    referred_by: str | None = None
    lost_reason: str | None = None
    unit: str
    version: int = 1
    created_at: datetime

    @classmethod
    def of(cls, c: Customer, unmasked: bool = False) -> "CustomerPublic":
        owners = [OwnerPublic(role=r, username=u) for r, u in (("A", c.owner), ("B", c.backup_owner)) if u]
        return cls(id=c.id, cif=c.cif, name=c.name, kind=c.kind, owner=c.owner, backup_owner=c.backup_owner,
                   owners=owners, tier=c.tier, status=c.status, government_related=c.government_related,
                   industry=c.industry, industry_policy=INDUSTRY_POLICY.get(c.industry or ""), birthday=c.birthday,
                   phone=c.phone if unmasked else mask_phone(c.phone),
                   national_id=c.national_id if unmasked else mask_national_id(c.national_id),
                   credit_code=c.credit_code, address=c.address, risk_preference=c.risk_preference,
                   credit_rating=c.credit_rating, prospect_stage=c.prospect_stage, source_channel=c.source_channel,
                   referred_by=c.referred_by, lost_reason=c.lost_reason, unit=c.unit_code, version=c.version,
                   created_at=c.created_at)


class CustomerPage(BaseModel):
    items: list[CustomerPublic]
    next_cursor: str | None
