"""Sign-in (OAuth2 password flow) with its lockout, refresh, logout, and the caller's own profile."""
import math
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field
from sqlmodel import select

from services.customer.config import Settings
from services.customer.models import Staff
from services.customer.service.audit import caller_address
from services.customer.service.identity import authenticate
from services.customer.service.sessions import open_session, refresh_session, revoke_session
from services.customer.service.sign_in_lockout import FailureCounter
from services.customer.service.staff import public
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today, utcnow
from shared.errors import Problem, register_messages

router = APIRouter(tags=["auth"])
register_messages({
    "bad_credentials": ("用户名或密码错误", "Wrong username or password"),
    "sign_in_locked": ("登录失败次数过多，请 {seconds} 秒后重试", "Too many failed sign-ins; retry in {seconds} s"),
})


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


class Me(BaseModel):
    id: str
    username: str
    display_name: str | None = Field(default=None, description="the name the app greets and shows, e.g. 张经理")
    roles: list[str]
    unit: str
    team: str | None
    grade: str | None = None
    discretionary_authority: Decimal | None = Field(None, description="通融权限 in force, CNY per case (internal)")


def lockouts(request: Request) -> tuple[FailureCounter, FailureCounter]:
    """The app's counters of failed sign-ins: per account and per caller address."""
    state = request.app.state
    if not hasattr(state, "sign_in_lockouts"):
        s: Settings = state.settings
        state.sign_in_lockouts = tuple(FailureCounter(free, s.sign_in_first_lock_seconds, s.sign_in_max_lock_seconds)
                                       for free in (s.sign_in_free_failures_account, s.sign_in_free_failures_address))
    return state.sign_in_lockouts


@router.post("/auth/token", response_model=Token)
async def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep):
    (accounts, addresses) = lockouts(request)
    account, address = form.username.casefold(), caller_address(request) or "-"
    wait = max(accounts.wait(account), addresses.wait(address))
    if wait:   # checked before the password, so a locked account answers the same to the right one
        seconds = math.ceil(wait)
        raise Problem(429, "sign_in_locked", headers={"Retry-After": str(seconds)}, seconds=seconds)
    found = await authenticate(session, form.username, form.password)
    if found is None:
        accounts.failed(account)
        addresses.failed(address)
        raise Problem(401, "bad_credentials", headers={"WWW-Authenticate": "Bearer"})
    accounts.succeeded(account)
    pair = await open_session(session, *found, request.app.state.settings, now=utcnow())
    await session.commit()
    return pair


@router.post("/auth/refresh", response_model=Token)
async def refresh(request: Request, refresh_token: Annotated[str, Form(min_length=10, max_length=200)],
                  session: SessionDep):
    """A new token pair for a refresh token; each refresh token works once."""
    pair = await refresh_session(session, refresh_token, request.app.state.settings, now=utcnow(),
                                 business_date=business_today())
    events_written(request)
    return pair


@router.post("/auth/logout", status_code=204)
async def logout(request: Request, user: CurrentUser, session: SessionDep):
    """Ends the caller's session: its refresh tokens stop working and its access tokens are refused."""
    if user.session_id:
        await revoke_session(session, user.username, user.session_id, "logout", request.app.state.settings,
                             now=utcnow(), business_date=business_today())
        await session.commit()
        events_written(request)


@router.get("/me", response_model=Me, tags=["me"])
async def me(request: Request, user: CurrentUser, session: SessionDep):
    """The caller, with their display name, grade and the discretionary authority (通融权限) it gives them."""
    staff = (await session.exec(select(Staff).where(Staff.username == user.username))).first()
    authority = None if staff is None else \
        public(staff, request.app.state.settings.discretionary_authority).discretionary_authority
    return Me(id=user.user_id, username=user.username, display_name=staff.display_name if staff else None,
              roles=list(user.roles), unit=user.unit, team=user.team, grade=staff.grade if staff else None,
              discretionary_authority=authority)
