"""Who is calling: the bearer token verified at the gateway (for rate limits, logs and revocation).

The services verify the token again themselves; the gateway's check adds what they cannot know: the
sessions ended by logout or refresh-token reuse (session.revoked events), refused here with 401.
Verified tokens are cached until they expire, so a phone's requests cost one RSA check per token.
"""
import time

import jwt

from shared.auth import Principal, verify_token
from shared.errors import Problem, register_messages

register_messages({"session_revoked": ("登录已注销，请重新登录", "This session has ended; sign in again")})
CACHE_SIZE = 10_000


class Denylist:
    """Sessions whose access tokens are void, each until the moment its last token expires."""

    def __init__(self):
        self.until: dict[str, float] = {}

    def add(self, session_id: str, expires_at_epoch: float) -> None:
        if expires_at_epoch > time.time():
            self.until[session_id] = max(expires_at_epoch, self.until.get(session_id, 0.0))

    def __contains__(self, session_id: str | None) -> bool:
        if session_id is None or session_id not in self.until:
            return False
        if self.until[session_id] <= time.time():
            del self.until[session_id]
            return False
        return True


class TokenVerifier:
    def __init__(self, public_key_file: str, issuer: str, audience: str, denylist: Denylist):
        self.args = (public_key_file, issuer, audience)
        self.denylist = denylist
        self.cache: dict[str, tuple[Principal, float]] = {}

    def principal(self, token: str) -> Principal:
        """The caller named by a valid, unrevoked token, or Problem(401)."""
        hit = self.cache.get(token)
        now = time.time()
        if hit is None or hit[1] <= now:
            principal = verify_token(token, *self.args)
            if len(self.cache) >= CACHE_SIZE:
                self.cache.clear()   # cheap bound; refilling costs one verification per live token
            exp = jwt.decode(token, options={"verify_signature": False})["exp"]
            hit = self.cache[token] = (principal, float(exp))
        if hit[0].session_id in self.denylist:
            raise Problem(401, "session_revoked", headers={"WWW-Authenticate": "Bearer"})
        return hit[0]
