"""Idempotency-Key on POST: a retried request gets the first response and does not act twice.

The store is the gateway's own database, shared by every replica. The key is claimed with one atomic
insert-or-skip *before* forwarding, so two concurrent duplicates (even on two replicas) cannot both
reach the service: the loser sees the claim and answers 409 "in progress" (or, later, the replay).
A key is scoped to its caller (username, else client IP) so two users cannot collide or read each
other's responses. Answers of the service (2xx, 4xx) are stored and replayed until the TTL passes.
A 5xx or a timeout says nothing about whether the service acted (it may commit after the gateway gave
up), so the claim stays, marked UNRESOLVED: a retry is forwarded again with the same key, and the
service, which records the key with its write (shared.idempotency), replays its answer or acts once.
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.clock import utcnow
from shared.errors import problem_response, register_messages
from shared.idempotency import MAX_KEY

TABLE = sa.Table(
    "idempotency_key", sa.MetaData(),
    sa.Column("owner", sa.String(128), primary_key=True), sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False), sa.Column("status", sa.Integer),
    sa.Column("content_type", sa.String(200)), sa.Column("body", sa.LargeBinary),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
# A claim with no answer after this long belongs to a replica that died mid-request: a retry may take it.
ABANDONED_AFTER = timedelta(seconds=60)
UNRESOLVED = 0   # the status of a claim whose outcome only the service knows
register_messages({   # reused / in progress: shared.idempotency registers them for the services and us
    "idempotency_key_invalid": ("Idempotency-Key 过长或为空", "Idempotency-Key is empty or too long"),
})


@dataclass
class Claim:
    """What the store says about a key: ours to act on, or someone's earlier request."""
    ours: bool
    fingerprint: str = ""
    status: int | None = None
    content_type: str | None = None
    body: bytes = b""


def fingerprint(method: str, path_qs: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path_qs.encode() + b"\n" + body).hexdigest()


class IdempotencyStore:
    def __init__(self, engine: AsyncEngine, ttl: timedelta):
        self.engine, self.ttl = engine, ttl
        dialect = engine.dialect.name
        self._insert = postgresql.insert if dialect == "postgresql" else sqlite.insert

    async def claim(self, owner: str, key: str, fp: str, now: datetime) -> Claim:
        async with self.engine.begin() as conn:
            inserted = await conn.execute(self._insert(TABLE).values(owner=owner, key=key, fingerprint=fp,
                                                                     created_at=now).on_conflict_do_nothing())
            if inserted.rowcount == 1:
                return Claim(ours=True)
            row = (await conn.execute(sa.select(TABLE).where(TABLE.c.owner == owner, TABLE.c.key == key))).one()
            created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=now.tzinfo)
            stale = created < now - self.ttl or (row.status is None and created < now - ABANDONED_AFTER)
            if stale:  # take it over, atomically: only one retry can match the old created_at
                took = await conn.execute(TABLE.update().where(
                    TABLE.c.owner == owner, TABLE.c.key == key, TABLE.c.created_at == row.created_at
                ).values(fingerprint=fp, status=None, content_type=None, body=None, created_at=now))
                if took.rowcount == 1:
                    return Claim(ours=True)
            return Claim(False, row.fingerprint, row.status, row.content_type, row.body or b"")

    async def complete(self, owner: str, key: str, status: int, content_type: str | None, body: bytes) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(TABLE.update().where(TABLE.c.owner == owner, TABLE.c.key == key)
                               .values(status=status, content_type=content_type, body=body))

    async def unresolved(self, owner: str, key: str) -> None:
        await self.complete(owner, key, UNRESOLVED, None, b"")

    async def purge(self, now: datetime) -> int:
        async with self.engine.begin() as conn:
            return (await conn.execute(TABLE.delete().where(TABLE.c.created_at < now - self.ttl))).rowcount


async def once(request: Request, store: IdempotencyStore, owner: str, key: str, body: bytes, act) -> Response:
    """Run `act()` (which forwards the request) at most once per (owner, key)."""
    if not key.strip() or len(key) > MAX_KEY:
        return problem_response(request, 422, "idempotency_key_invalid",
                                errors=[{"field": "Idempotency-Key", "reason": "invalid"}])
    path_qs = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    fp = fingerprint(request.method, path_qs, body)
    claim = await store.claim(owner, key, fp, utcnow())
    if not claim.ours:
        if claim.fingerprint != fp:
            return problem_response(request, 422, "idempotency_key_reused",
                                    errors=[{"field": "Idempotency-Key", "reason": "reused"}])
        if claim.status is None:
            return problem_response(request, 409, "idempotency_in_progress", headers={"Retry-After": "1"})
        if claim.status != UNRESOLVED:
            return Response(claim.body, status_code=claim.status, media_type=claim.content_type,
                            headers={"Idempotent-Replayed": "true"})
    try:
        response = await act()
    except BaseException:
        await store.unresolved(owner, key)
        raise
    if response.status_code >= 500 or response.status_code == 409 and b"idempotency_in_progress" in response.body:
        await store.unresolved(owner, key)   # the service's own answer is still to come
    else:
        await store.complete(owner, key, response.status_code, response.headers.get("content-type"), response.body)
    return response
