"""The tasks service's audit trail: who changed what through its API, when, in which request and in whose
unit. Staged in the caller's transaction, so the entry commits (or rolls back) with the write itself."""
from datetime import date, datetime, timezone
from typing import Any

from services.tasks.models import AuditEntry
from shared.auth import Principal
from shared.logging import request_id_var


def audit(session, actor: Principal, action: str, subject: object, *, now: datetime, unit_path: str | None = None,
          **detail: Any) -> AuditEntry:
    """One entry; `unit_path` is the unit whose auditors may read it (default: the actor's own unit)."""
    entry = AuditEntry(at=now, actor=actor.username, action=action, subject=str(subject),
                       unit_path=actor.unit_path if unit_path is None else unit_path,
                       request_id=request_id_var.get(), detail={k: _jsonable(v) for k, v in detail.items()})
    session.add(entry)
    return entry


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:   # one zone in the trail, whatever was sent
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)
