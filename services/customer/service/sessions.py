"""Sign-in sessions: rotating refresh tokens with reuse detection, and logout.

A refresh token is random, stored only as its SHA-256, used once: refreshing replaces it. Presenting a
token that was already replaced — later or at the same moment — means it leaked, so the whole session
(its family, the winner's new token too) is revoked. Ending a
session publishes `session.revoked` so the gateway refuses its still-unexpired access tokens at once.
"""
import hashlib
import secrets
import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.config import Settings
from services.customer.models import OrgUnit, Staff
from services.customer.service.identity import issue_token
from services.customer.service.outbox import SOURCE
from shared.errors import Problem, register_messages
from shared.events import CUSTOMER_TOPIC, SessionRevoked
from shared.outbox import record_event

register_messages({"bad_refresh": ("登录已过期，请重新登录", "Session expired; sign in again")})


class RefreshToken(SQLModel, table=True):
    __tablename__ = "refresh_token"
    token_hash: str = Field(primary_key=True, max_length=64)
    session_id: str = Field(max_length=64, index=True)
    username: str = Field(max_length=64)
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(session: AsyncSession, staff: Staff, unit: OrgUnit, settings: Settings, *, now: datetime,
                       session_id: str | None = None) -> dict:
    """Access + refresh token pair; the caller commits."""
    session_id = session_id or uuid.uuid4().hex
    access, ttl = issue_token(staff, unit, settings, session_id, now)
    refresh = secrets.token_urlsafe(32)
    session.add(RefreshToken(token_hash=_digest(refresh), session_id=session_id, username=staff.username,
                             expires_at=now + timedelta(days=settings.refresh_token_days)))
    return {"access_token": access, "token_type": "bearer", "expires_in": ttl, "refresh_token": refresh,
            "refresh_expires_in": settings.refresh_token_days * 86400}


async def refresh_session(session: AsyncSession, refresh: str, settings: Settings, *, now: datetime,
                          business_date: date) -> dict:
    digest = _digest(refresh)
    # Use-once is one conditional UPDATE: of any number of concurrent presentations exactly one finds
    # the row unused (the others wait on its row lock, then find it used) — a read-then-write let all win.
    claimed = (await session.execute(
        update(RefreshToken).where(RefreshToken.token_hash == digest, RefreshToken.used_at.is_(None),
                                   RefreshToken.revoked_at.is_(None)).values(used_at=now))).rowcount == 1
    row = await session.get(RefreshToken, digest)
    if row is None or _aware(row.expires_at, now) <= now:
        raise Problem(401, "bad_refresh", headers={"WWW-Authenticate": "Bearer"})
    if not claimed:
        if row.revoked_at is None:   # replayed: someone else holds this session; end it for everyone
            await revoke_session(session, row.username, row.session_id, "refresh_reuse", settings, now=now,
                                 business_date=business_date)
            await session.commit()
        raise Problem(401, "bad_refresh", headers={"WWW-Authenticate": "Bearer"})
    found = (await session.exec(select(Staff, OrgUnit).join(OrgUnit, OrgUnit.code == Staff.unit_code)
                                .where(Staff.username == row.username, Staff.active))).first()
    if found is None:
        raise Problem(401, "bad_refresh", headers={"WWW-Authenticate": "Bearer"})
    pair = await open_session(session, *found, settings, now=now, session_id=row.session_id)
    await session.commit()
    return pair


async def revoke_session(session: AsyncSession, username: str, session_id: str, reason: str, settings: Settings, *,
                         now: datetime, business_date: date) -> None:
    await session.execute(update(RefreshToken).where(RefreshToken.session_id == session_id,
                                                     RefreshToken.revoked_at.is_(None)).values(revoked_at=now))
    record_event(session, CUSTOMER_TOPIC, "session.revoked", SessionRevoked(
        username=username, session_id=session_id, reason=reason,
        expires_at=now + timedelta(minutes=settings.access_token_minutes)),
        subject=username, business_date=business_date, source=SOURCE, now=now)


def _aware(moment: datetime, like: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=like.tzinfo)  # SQLite drops the zone
