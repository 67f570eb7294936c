"""Sign-in (OAuth2 password flow), refresh, logout, and the caller's own profile."""
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from services.customer.service.identity import authenticate
from services.customer.service.sessions import open_session, refresh_session, revoke_session
from shared.app import SessionDep, events_written
from shared.auth import CurrentUser
from shared.clock import business_today, utcnow
from shared.errors import Problem, register_messages

router = APIRouter(tags=["auth"])
register_messages({"bad_credentials": ("用户名或密码错误", "Wrong username or password")})


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


class Me(BaseModel):
    id: str
    username: str
    roles: list[str]
    unit: str
    team: str | None


@router.post("/auth/token", response_model=Token)
async def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep):
    found = await authenticate(session, form.username, form.password)
    if found is None:
        raise Problem(401, "bad_credentials", headers={"WWW-Authenticate": "Bearer"})
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
async def me(user: CurrentUser):
    return Me(id=user.user_id, username=user.username, roles=list(user.roles), unit=user.unit, team=user.team)
