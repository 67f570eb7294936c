"""Who may see a customer's national ID and phone numbers in full, and the masks everyone else sees.

Policy (least privilege): the people who serve the customer — RM, team lead, branch head — may ask
for the full values with `?unmask=true`, and each such read is audited. Risk managers, auditors and
admins work on masked data (they judge loans, trails and systems, not call customers); asking is 403.
Without `?unmask=true` everyone gets masks, and events never carry these fields at all.
"""
from services.customer.scope import serves_customers
from shared.auth import Principal
from shared.errors import Problem


def unmask_allowed(user: Principal, unmask: bool) -> bool:
    """True when this read shows full values; refuses roles that may never see them."""
    if unmask and not serves_customers(user):
        raise Problem(403, "unmask_forbidden", field="unmask")
    return unmask


def mask_phone(phone: str | None) -> str | None:
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:] if phone and len(phone) > 7 else phone and "****"


def mask_national_id(nid: str | None) -> str | None:
    return nid[:4] + "*" * (len(nid) - 8) + nid[-4:] if nid and len(nid) > 8 else nid and "****"
