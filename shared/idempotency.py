"""Idempotency-Key at a service: the key is recorded with the write it guards, in the same transaction.

The gateway's own store cannot know whether a request it gave up on (a timeout while a row lock held
the service) committed after all. The service can: the first commit of a POST carrying a key inserts
(caller, key) next to the rows it writes, so the key exists exactly when the write does. A retry then
gets the stored answer (or 409 while the answer is not recorded yet), never a second write; two
concurrent attempts meet at the key's primary key, and the loser's transaction rolls back with a 409.
"""
import hashlib

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from shared.auth import verify_token
from shared.clock import utcnow
from shared.errors import Problem, problem_response, register_messages


def _columns() -> list[sa.Column]:
    return [sa.Column("owner", sa.String(64), primary_key=True), sa.Column("key", sa.String(255), primary_key=True),
            sa.Column("fingerprint", sa.String(64), nullable=False), sa.Column("status", sa.Integer),
            sa.Column("content_type", sa.String(200)), sa.Column("body", sa.LargeBinary),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)]


TABLE = sa.Table("idempotency_record", sa.MetaData(), *_columns())
MAX_KEY = 255
NOT_REMEMBERED = ("/api/v1/auth/",)   # token answers are secrets: never stored for replay (as at the gateway)
register_messages({
    "idempotency_key_reused": ("该 Idempotency-Key 已用于另一个请求",
                               "This Idempotency-Key was used for a different request"),
    "idempotency_in_progress": ("相同请求正在处理中，请稍后重试",
                                "The same request is still being processed; retry shortly"),
})


def create_table() -> None:
    """The migration body every service runs once (alembic `op` is imported here, not at module load)."""
    from alembic import op
    op.create_table(TABLE.name, *_columns())


def drop_table() -> None:
    from alembic import op
    op.drop_table(TABLE.name)


def _insert(dialect: str):
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(TABLE)


def record_with_commit(session: AsyncSession, claim: dict) -> None:
    """On this session's first commit, insert the key in the same transaction; a key already there
    (a concurrent attempt committed first) refuses the commit with 409, so the write is rolled back."""
    @event.listens_for(session.sync_session, "before_commit", once=True)
    def _with_the_write(sync_session):
        done = sync_session.execute(_insert(sync_session.get_bind().dialect.name).values(
            owner=claim["owner"], key=claim["key"], fingerprint=claim["fingerprint"],
            created_at=claim["at"]).on_conflict_do_nothing())
        if done.rowcount != 1:
            raise Problem(409, "idempotency_in_progress", headers={"Retry-After": "1"})
        claim["recorded"] = True


def _header(scope, name: bytes) -> str | None:
    return next((v.decode("latin-1") for k, v in scope["headers"] if k == name), None)


def _owner(scope, settings) -> str | None:
    """The caller the key belongs to (keys are per caller, as at the gateway); None without a valid token."""
    auth = _header(scope, b"authorization") or ""
    if not auth.lower().startswith("bearer "):
        return None
    try:
        return verify_token(auth[7:].strip(), settings.jwt_public_key_file, settings.jwt_issuer,
                            settings.jwt_audience).username
    except Problem:
        return None


class IdempotencyMiddleware:
    """For a signed-in POST with an Idempotency-Key: replay a recorded answer, or let the route's session
    record the key with its commit (see shared.app.get_session) and store the answer afterwards."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].startswith(NOT_REMEMBERED):
            return await self.app(scope, receive, send)
        key = _header(scope, b"idempotency-key")
        owner = _owner(scope, scope["app"].state.settings) if key and len(key) <= MAX_KEY else None
        if owner is None:
            return await self.app(scope, receive, send)
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False) and message["type"] == "http.request"
        body = b"".join(chunks)
        qs = scope.get("query_string", b"")
        fp = hashlib.sha256(scope["path"].encode() + b"?" + qs + b"\n" + body).hexdigest()
        sessions = scope["app"].state.sessions
        async with sessions() as session:
            row = (await session.execute(sa.select(TABLE).where(TABLE.c.owner == owner, TABLE.c.key == key))).first()
        if row is not None:
            return await self._answer_again(scope, receive, send, row, fp)
        claim = {"owner": owner, "key": key, "fingerprint": fp, "at": utcnow(), "recorded": False}
        scope.setdefault("state", {})["idempotency"] = claim
        sent: dict = {"status": None, "headers": [], "body": []}

        replayed = False

        async def replay_body():
            nonlocal replayed
            if replayed:   # after the body, what the client does next (a disconnect)
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def keep(message):
            if message["type"] == "http.response.start":
                sent["status"], sent["headers"] = message["status"], message.get("headers", [])
            elif message["type"] == "http.response.body":
                sent["body"].append(message.get("body", b""))
            await send(message)

        await self.app(scope, replay_body, keep)
        if claim["recorded"] and sent["status"] is not None and sent["status"] < 500:
            content_type = next((v.decode("latin-1") for k, v in sent["headers"] if k.lower() == b"content-type"),
                                None)
            async with sessions() as session:   # only a key the write recorded gets its answer
                await session.execute(TABLE.update().where(TABLE.c.owner == owner, TABLE.c.key == key).values(
                    status=sent["status"], content_type=content_type, body=b"".join(sent["body"])))
                await session.commit()

    @staticmethod
    async def _answer_again(scope, receive, send, row, fp: str) -> None:
        request = Request(scope)
        response: Response
        if row.fingerprint != fp:
            response = problem_response(request, 422, "idempotency_key_reused",
                                        errors=[{"field": "Idempotency-Key", "reason": "reused"}])
        elif row.status is None:
            response = problem_response(request, 409, "idempotency_in_progress", headers={"Retry-After": "1"})
        else:
            response = Response(row.body or b"", status_code=row.status, media_type=row.content_type,
                                headers={"Idempotent-Replayed": "true"})
        await response(scope, receive, send)


def claim_of(scope) -> dict | None:
    """The key a request's write must record, as IdempotencyMiddleware left it."""
    return (scope.get("state") or {}).get("idempotency")

