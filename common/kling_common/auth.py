"""Kling's authentication: `Authorization: Bearer <JWT>`, HS256, signed with the secret key
of the access key named in `iss`, with `exp` (and `nbf`, when present) checked.

Both sides of it live here: `verify` for the stand-in, `sign` for a caller (the gateway
emulator's Kling stage signs its requests as a gateway's Kling adaptor does).
"""

from __future__ import annotations

import time
import warnings

import attrs
import jwt

# Kling's keys are what they are: a short secret is the caller's choice, not a reason for
# PyJWT to warn on every request. (The warning is attributed to PyJWT's own modules, so the
# filter cannot be narrower; only processes that serve or sign for Kling import this.)
warnings.filterwarnings("ignore", category=jwt.InsecureKeyLengthWarning)

# Seconds of clock difference Kling forgives on `exp` and `nbf`; a gateway sets `nbf` five
# seconds in the past for the same reason.
LEEWAY = 5.0
TOKEN_LIFETIME = 1800


@attrs.frozen(repr=False)
class KeyPair:
    """An access key and its secret key; the secret never appears in a repr."""

    access_key: str
    secret_key: str

    def __repr__(self) -> str:
        return f"KeyPair(access_key={self.access_key!r}, secret_key=***)"

    @classmethod
    def parse(cls, channel_key: str) -> KeyPair:
        """A gateway channel's key, `access_key|secret_key`."""
        access, sep, secret = channel_key.partition("|")
        if not sep or not access.strip() or not secret.strip() or "|" in secret:
            raise ValueError("a Kling key is 'ACCESS_KEY|SECRET_KEY'")
        return cls(access.strip(), secret.strip())


def sign(keys: KeyPair, now: float | None = None) -> str:
    """A token as a gateway's Kling adaptor makes it: valid from 5 s ago for 30 minutes."""
    issued = int(time.time() if now is None else now)
    claims = {"iss": keys.access_key, "exp": issued + TOKEN_LIFETIME, "nbf": issued - 5}
    return jwt.encode(
        claims, keys.secret_key, algorithm="HS256", headers={"typ": "JWT"}
    )


def verify(
    authorization: str | None,
    secrets: dict[str, str],
    leeway: float = LEEWAY,
) -> str | int:
    """The access key behind a valid `Authorization` header, or Kling's error code:
    1001 none, 1002 not a well-formed HS256 token, 1000 an unknown access key or a wrong
    signature, 1003 not yet valid, 1004 expired."""
    if not authorization or not authorization.strip():
        return 1001
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return 1002
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return 1002
    issuer = unverified.get("iss")
    if header.get("alg") != "HS256" or not isinstance(issuer, str):
        return 1002
    secret = secrets.get(issuer)
    if secret is None:
        return 1000
    try:
        jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            leeway=leeway,
            options={"require": ["iss", "exp"], "verify_iat": False},
        )
    except jwt.InvalidSignatureError:
        return 1000
    except jwt.ExpiredSignatureError:
        return 1004
    except jwt.ImmatureSignatureError:
        return 1003
    except jwt.InvalidTokenError:
        return 1002
    return issuer
