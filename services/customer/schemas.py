"""What the API takes and gives (XCreate / XUpdate / XPublic): customers, ownership and handover,
interactions, relationships and contacts, org units and staff; internal columns never leak."""
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from services.customer.models import Customer, KeyContact
from services.customer.rules import INDUSTRY_POLICIES
from services.customer.service.pii import mask_national_id, mask_phone
from services.customer.service.validation import (
    CODE_PATTERN,
    USERNAME_PATTERN,
    CifStr,
    CreditCode,
    MobilePhone,
    NationalId,
)
from shared.auth import ROLES
from shared.tiers import needs_backup

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """Every list of the customer service: one page of items and the cursor of the next (null: the last)."""
    items: list[T]
    next_cursor: str | None = Field(description="the cursor of the next page; null on the last")


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
    owner_name: str | None = Field(default=None, description="the manager's display name")
    owner_team: str | None
    effective_from: datetime
    effective_to: datetime | None
    reason: str | None
    assigned_by: str


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
    industry_policy: str | None = Field(default=None, description="the bank's policy for the industry today: "
                                                                 "maintain / grow / control (control: marked)")
    missing_b: bool = Field(default=False, description="a retail premium customer without a B岗: the lead's alert")
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
    def of(cls, c: Customer, unmasked: bool = False, policy: str | None = None) -> "CustomerPublic":
        """`policy`: the industry policy in effect for c.industry (service/industry_policy.py)."""
        owners = [OwnerPublic(role=r, username=u) for r, u in (("A", c.owner), ("B", c.backup_owner)) if u]
        return cls(id=c.id, cif=c.cif, name=c.name, kind=c.kind, owner=c.owner, backup_owner=c.backup_owner,
                   owners=owners, tier=c.tier, status=c.status, government_related=c.government_related,
                   industry=c.industry, industry_policy=policy, birthday=c.birthday,
                   phone=c.phone if unmasked else mask_phone(c.phone),
                   national_id=c.national_id if unmasked else mask_national_id(c.national_id),
                   credit_code=c.credit_code, address=c.address, risk_preference=c.risk_preference,
                   credit_rating=c.credit_rating, prospect_stage=c.prospect_stage, source_channel=c.source_channel,
                   referred_by=c.referred_by, lost_reason=c.lost_reason, unit=c.unit_code, version=c.version,
                   created_at=c.created_at, missing_b=needs_backup(c.kind, c.tier) and not c.backup_owner)


class CustomerPage(Page[CustomerPublic]):
    total: int = Field(description="every customer the search and filters find (共 N 户), not only this page")


class Moved(BaseModel):
    customer_id: str
    cif: str
    role: str
    to: str | None


class Checklist(BaseModel):
    """What a departure handover moved and what the successors must pick up."""
    leaver: str
    successors: list[str]
    effective_from: datetime
    moved: list[Moved]
    open_tasks: list[dict]
    overdue_loans: list[dict]
    pending_transfer_requests: list[dict]
    departure_audit: str | None = None   # the audit case the handover opened; the departure closes with its sign-off


class InteractionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: Literal["visit", "phone", "email", "surprise_visit"]
    occurred_on: date
    notes: Annotated[str, Field(min_length=1, max_length=4000)]
    needs: Annotated[str, Field(max_length=2000)] | None = None
    next_step: Annotated[str, Field(max_length=2000)] | None = None
    co_signed_by: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    task_id: Annotated[str, Field(max_length=64)] | None = None


class InteractionPublic(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    cif: str
    customer_name: str | None = None
    rm: str
    rm_name: str | None = Field(default=None, description="the RM's display name")
    channel: str
    occurred_on: date
    notes: str
    needs: str | None
    next_step: str | None
    co_signed_by: str | None
    task_id: str | None
    created_at: datetime
    spot_checked_by: str | None
    spot_checked_at: datetime | None
    status: str = "counted"          # counted / pending_approval (logged too late to count unapproved) / rejected
    decided_by: str | None = None    # who approved or rejected a late entry
    decided_at: datetime | None = None
    decision_note: str | None = None


class EntryDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Annotated[str, Field(min_length=1, max_length=500)] | None = None


class EntryRejection(EntryDecision):
    note: Annotated[str, Field(min_length=1, max_length=500, description="why it does not count")]


class RelationshipCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["group_parent", "group_subsidiary", "upstream", "downstream", "related_party"]
    related_cif: CifStr
    note: Annotated[str, Field(max_length=300)] | None = None


class ContactCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=100)]
    role: Annotated[str, Field(min_length=1, max_length=60, description="e.g. finance director (财务总监)")]
    phone: MobilePhone | None = None


class ContactPublic(BaseModel):
    id: uuid.UUID
    name: str
    role: str
    phone: str | None
    active: bool

    @classmethod
    def of(cls, c: KeyContact, unmasked: bool = False) -> "ContactPublic":
        return cls(id=c.id, name=c.name, role=c.role, phone=c.phone if unmasked else mask_phone(c.phone),
                   active=c.active)


class IndustryPolicyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    industry: Annotated[str, Field(min_length=1, max_length=100, description="as customers' industry, e.g. steel")]
    policy: Literal[INDUSTRY_POLICIES]  # type: ignore[valid-type]
    effective_from: date
    effective_to: date | None = Field(default=None, description="last day it applies; open-ended when absent")


class IndustryPolicyPublic(IndustryPolicyCreate):
    model_config = ConfigDict(extra="ignore")
    set_by: str


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, Field(pattern=CODE_PATTERN)]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    level: Literal["head_office", "branch", "sub_branch", "outlet"]
    parent: str | None = None


class TeamCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, Field(pattern=CODE_PATTERN)]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    unit: str


class StaffUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    roles: list[Literal[ROLES]] | None = Field(default=None, min_length=1)  # type: ignore[valid-type]
    unit: str | None = None
    team: str | None = None
    grade: Literal["junior", "intermediate", "senior", "expert"] | None = None
    active: bool | None = None
    discretionary_authority: Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2, description=(
        "通融权限 granted to this person, CNY per case; null: their grade's default"))] | None = None


class StaffCreate(StaffUpdate):
    username: Annotated[str, Field(pattern=USERNAME_PATTERN)]
    display_name: Annotated[str, Field(min_length=1, max_length=100)]
    roles: list[Literal[ROLES]] = Field(min_length=1)  # type: ignore[valid-type]
    unit: str
    password: Annotated[str, Field(min_length=8, max_length=200)]


class StaffPublic(BaseModel):
    username: str
    display_name: str
    roles: list[str]
    unit: str
    team: str | None
    grade: str | None
    active: bool
    discretionary_authority: Decimal = Field(description="通融权限 in force, CNY per case (internal: never shown "
                                                         "to customers)")
    discretionary_authority_granted: Decimal | None = Field(description="set by the admin; null: the grade's default")



class MarketingResultCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: uuid.UUID
    category: Literal["deposit", "wealth", "fee", "loan", "card", "insurance", "fund"]
    amount: Annotated[Decimal, Field(gt=0, max_digits=17, decimal_places=2)] | None = None
    count: Annotated[int, Field(gt=0, le=100000)] | None = None
    result_date: date = Field(alias="date", description="the day of the result")


class MarketingResultPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    customer_id: uuid.UUID
    cif: str
    customer_name: str | None = None
    rm: str
    rm_name: str | None = Field(default=None, description="the RM's display name")
    category: str
    amount: Decimal | None
    count: int | None
    result_date: date = Field(serialization_alias="date")
    status: str = Field(description="registered, or confirmed (only confirmed results count)")
    confirmed_by: str | None = Field(description="event (core banking) or lead")
    confirmed_on: date | None
