"""What the customer service publishes: customers, ownership, contacts, interactions, staff, sessions."""
from datetime import date
from typing import Literal

from pydantic import AwareDatetime

from shared.events.envelope import EventData
from shared.events.values import Cif


class CustomerRegistered(EventData):
    customer_id: Cif
    customer_ref: str            # the customer service's id, for links in the apps
    name: str
    kind: Literal["retail", "corporate"]
    government_related: bool
    unit: str
    unit_path: str
    birthday: date | None = None  # additive: retail customers' birthday greeting schedule
    # additive: the bank's policy for the customer's industry on the business date (a control industry's
    # new loans raise a risk review in the tasks service)
    industry_policy: Literal["maintain", "grow", "control"] | None = None


class CustomerChanged(EventData):
    """Master fields other services keep changed (PATCH /customers/{id}): the current values, so a
    consumer that missed an earlier change still ends right. Additive: only the name so far (the tasks
    service shows it beside tasks, agenda items and alerts); PII (phone, national ID) never travels."""
    customer_id: Cif
    customer_ref: str
    name: str
    changed: list[str]           # which of the fields above this change touched, e.g. ["name"]


class CustomerAssigned(EventData):
    customer_id: Cif
    customer_ref: str
    role: Literal["A", "B"]
    owner: str | None            # username; None when the customer is left unowned
    owner_team: str | None
    unit: str
    unit_path: str
    previous_owner: str | None
    effective_from: AwareDatetime
    reason: str | None = None
    government_related: bool


class CustomerTierChanged(EventData):
    customer_id: Cif
    customer_ref: str
    kind: Literal["retail", "corporate"]
    from_tier: str
    to_tier: str
    owner: str | None
    basis: dict[str, str] = {}   # the figures the tier was computed from, e.g. {"aum": "1200000.00"}
    backup_owner: str | None = None   # additive: the B岗 manager, so a premium customer without one is seen


class CustomerContactChanged(EventData):
    """A key contact (finance director…) added, changed or removed: it restarts marketing."""
    customer_id: Cif
    customer_ref: str
    contact_name: str
    contact_role: str
    change: Literal["added", "changed", "removed"]
    owner: str | None


class CustomerWon(EventData):
    customer_id: Cif
    customer_ref: str
    owner: str | None
    source_channel: str | None = None


class InteractionLogged(EventData):
    interaction_id: str
    customer_id: Cif
    customer_ref: str
    rm: str                      # username of the manager who logged it
    channel: Literal["visit", "phone", "email", "surprise_visit"]
    occurred_on: date
    task_id: str | None = None


class StaffChanged(EventData):
    """Who is who, for services that need it without asking (escalation targets, appraisal scope)."""
    username: str
    display_name: str
    roles: list[str]
    unit: str
    unit_path: str
    team: str | None
    grade: str | None
    active: bool


class SessionRevoked(EventData):
    """A sign-in session ended (logout, refresh-token reuse): its access tokens are void until expires_at."""
    username: str
    session_id: str
    reason: Literal["logout", "refresh_reuse", "staff_deactivated"]
    expires_at: AwareDatetime
