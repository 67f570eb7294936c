"""Sign-in (OAuth2 password flow) and the caller's own profile."""
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from services.customer.identity import authenticate, issue_token
from shared.app import SessionDep
from shared.auth import CurrentUser
from shared.errors import Problem, register_messages

router = APIRouter(tags=["auth"])
register_messages({"bad_credentials": ("用户名或密码错误", "Wrong username or password")})


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


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
    access_token, ttl = issue_token(*found, request.app.state.settings)
    return Token(access_token=access_token, expires_in=ttl)


@router.get("/me", response_model=Me, tags=["me"])
async def me(user: CurrentUser):
    return Me(id=user.user_id, username=user.username, roles=list(user.roles), unit=user.unit, team=user.team)
