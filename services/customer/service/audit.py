"""The audit trail: who did what to which customer, when, from where, in which request, before and
after. Append-only (database triggers refuse UPDATE and DELETE); written in the same transaction as
the change it records, so a rolled-back change leaves no trail and a committed one always does."""
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from fastapi import Request

from services.customer.models import AuditEntry
from services.customer.service.pii import mask_national_id, mask_phone
from shared.auth import Principal
from shared.logging import request_id_var

client_var: ContextVar[str | None] = ContextVar("client", default=None)


def caller_address(request: Request) -> str | None:
    """Where the request came from: the address the gateway saw (it sets X-Forwarded-For, replacing
    whatever the caller sent), else the connection's own peer."""
    forwarded = request.headers.get("x-forwarded-for")
    address = ((forwarded.split(",")[0].strip() if forwarded else None)
               or (request.client.host if request.client else None))
    return address[:100] if address else None   # the column's size; an address is at most 45


async def remember_client(request: Request) -> None:
    """Router dependency: audit entries know where a request came from. Async on purpose: FastAPI runs
    a plain `def` dependency in a worker thread, and a context variable set there never reached the
    route, so every entry's `client` was empty."""
    client_var.set(caller_address(request))


def audit(session, actor: Principal | str, action: str, *, now: datetime, customer=None, unit_path: str | None = None,
          before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> AuditEntry:
    """Stage one audit entry in the caller's transaction."""
    entry = AuditEntry(at=now, actor=actor if isinstance(actor, str) else actor.username, action=action,
                       customer_id=customer.id if customer is not None else None,
                       cif=customer.cif if customer is not None else None,
                       unit_path=unit_path or (customer.unit_path if customer is not None else "HQ"),
                       request_id=request_id_var.get(), client=client_var.get(),
                       before=_jsonable(before), after=_jsonable(after))
    session.add(entry)
    return entry


def _jsonable(values: dict[str, Any] | None) -> dict | None:
    """JSON-ready, and PII masked: the trail is read by auditors, who see masks like everyone else."""
    if values is None:
        return None
    out = {}
    for k, v in values.items():
        v = v if v is None or isinstance(v, (str, int, float, bool, list, dict)) else str(v)
        out[k] = (v if v is None else mask_national_id(str(v)) if k == "national_id"
                  else mask_phone(str(v)) if "phone" in k else v)
    return out
