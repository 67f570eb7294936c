"""Staff identity: password hashes, sign-in and the signed token every service verifies."""
import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.config import Settings
from services.customer.models import OrgUnit, Staff

_hasher = PasswordHasher()
# Verifying against a dummy hash for unknown users keeps sign-in time from revealing who exists.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
# argon2 is made to cost tens of milliseconds of CPU: on the event loop each sign-in would stall every
# other request of the service. cffi lets go of the GIL while it hashes, so a thread per core hashes in
# parallel and the loop keeps serving.
HASHING = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="argon2")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


async def authenticate(session: AsyncSession, username: str, password: str) -> tuple[Staff, OrgUnit] | None:
    row = (await session.exec(select(Staff, OrgUnit).join(OrgUnit, OrgUnit.code == Staff.unit_code)
                              .where(Staff.username == username, Staff.active))).first()
    matches = await asyncio.get_running_loop().run_in_executor(
        HASHING, password_matches, _DUMMY_HASH if row is None else row[0].password_hash, password)
    return row if row is not None and matches else None


@lru_cache(maxsize=4)
def _private_key(path: str) -> str:
    return Path(path).read_text()


def issue_token(staff: Staff, unit: OrgUnit, settings: Settings, session_id: str,
                now: datetime | None = None) -> tuple[str, int]:
    now = now or datetime.now(timezone.utc)
    ttl = settings.access_token_minutes * 60
    claims = {"sub": staff.username, "uid": str(staff.id), "roles": staff.roles, "unit": unit.code,
              "unit_path": unit.path, "team": staff.team_code, "sid": session_id, "jti": uuid.uuid4().hex,
              "iss": settings.jwt_issuer, "aud": settings.jwt_audience, "iat": now, "exp": now + timedelta(seconds=ttl)}
    return jwt.encode(claims, _private_key(settings.jwt_private_key_file), algorithm="RS256"), ttl


def ensure_keypair(private_file: str, public_file: str) -> None:
    """Create the signing key pair on first run (make run, tests); production mounts its own."""
    private_path, public_path = Path(private_file), Path(public_file)
    if private_path.exists() and public_path.exists():
        return
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.parent.mkdir(parents=True, exist_ok=True)
    private_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    private_path.chmod(0o600)
    public_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo))
