"""Verifying the bearer token in every service, and the caller it names (the Principal)."""
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import or_

from shared.errors import Problem
from shared.logging import user_var

# credit_reviewer: the credit department's reviewer (审查, apart from marketing); deputy_head: the deputy head
# in charge (分管行长) who approves service outside the bank
ROLES = ("rm", "team_lead", "branch_head", "credit_deputy_head", "risk_manager", "auditor", "admin", "credit_reviewer",
         "deputy_head")
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


@dataclass(frozen=True)
class Principal:
    username: str
    user_id: str
    roles: tuple[str, ...]
    unit: str
    unit_path: str            # e.g. "HQ/BR01/SB01": subtree scope without asking the customer service
    team: str | None
    session_id: str | None = None   # the sign-in session (refresh-token family) this token belongs to

    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    def subtree(self, column):
        """A WHERE clause: `column` (a unit path) lies in this caller's unit subtree — the SQL twin of covers_unit."""
        return or_(column == self.unit_path, column.startswith(self.unit_path + "/"))

    def covers_unit(self, unit_path: str | None) -> bool:
        """True when unit_path lies in this caller's unit subtree."""
        if not unit_path:
            return False
        return unit_path == self.unit_path or unit_path.startswith(self.unit_path + "/")


@lru_cache(maxsize=8)
def _read_key(path: str) -> str:
    return Path(path).read_text()


_VERIFIED: dict[tuple[str, str], tuple[Principal, float]] = {}   # token -> (caller, expiry): one RSA check per token
_VERIFIED_MAX = 20_000


def verify_token(token: str, public_key_file: str, issuer: str, audience: str) -> Principal:
    hit = _VERIFIED.get((token, public_key_file))
    if hit and hit[1] > time.time():
        return hit[0]
    principal, expires = _verify(token, public_key_file, issuer, audience)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()  # crude but bounded; a token costs one more RSA check afterwards
    _VERIFIED[(token, public_key_file)] = (principal, expires)
    return principal


def _verify(token: str, public_key_file: str, issuer: str, audience: str) -> tuple[Principal, float]:
    try:
        claims = jwt.decode(token, _read_key(public_key_file), algorithms=["RS256"], issuer=issuer,
                            audience=audience, options={"require": ["exp", "sub", "iss", "aud"]})
        return Principal(username=claims["sub"], user_id=claims["uid"], roles=tuple(claims["roles"]),
                         unit=claims["unit"], unit_path=claims["unit_path"], team=claims.get("team"),
                         session_id=claims.get("sid")), float(claims["exp"])
    except (jwt.PyJWTError, KeyError, TypeError):
        raise Problem(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"}) from None


async def current_principal(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Principal:
    if not token:
        raise Problem(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})
    s = request.app.state.settings
    principal = verify_token(token, s.jwt_public_key_file, s.jwt_issuer, s.jwt_audience)
    denylist = getattr(request.app.state, "denylist", None)   # absent in an app built without the feed
    if denylist is not None and denylist.refuses(principal.username, principal.session_id):
        raise Problem(401, "session_revoked", headers={"WWW-Authenticate": "Bearer"})
    user_var.set(principal.username)
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]
