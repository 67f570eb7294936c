"""Who is calling: the bearer token verified at the gateway (for rate limits, logs and revocation).

The services verify the token again themselves, revocations included (shared.revocation); the gateway
checks first so a revoked session or a deactivated user is refused with 401 before any forwarding.
Verified tokens are cached until they expire, so a phone's requests cost one RSA check per token.
"""
import time

import jwt

from shared.auth import Principal, verify_token
from shared.errors import Problem
from shared.revocation import Denylist

CACHE_SIZE = 10_000


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
        if self.denylist.refuses(hit[0].username, hit[0].session_id):
            raise Problem(401, "session_revoked", headers={"WWW-Authenticate": "Bearer"})
        return hit[0]
