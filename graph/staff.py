"""Who may write through the web: staff members (the `staff` setting, NAME:SHA256 pairs) and the holder of the
write token (`write_token_sha256`). Only SHA-256 hashes of tokens are held; every comparison is constant-time and
every entry is compared, so the time taken does not tell which name or which entry came close.
"""

from __future__ import annotations

import hashlib
import hmac

from l4a.graph.settings import Settings, token_sha256

# The name recorded (PROV, reportedBy) for writes made with the write token rather than a staff member's own.
TOKEN_HOLDER = "write-token"


def accounts(settings: Settings) -> dict[str, str]:
    """Staff name → the SHA-256 (hex, lower case) of their token; the write token's holder as TOKEN_HOLDER."""
    found = {name: digest.lower() for name, _, digest in (e.partition(":") for e in settings.staff)}
    if settings.write_token_sha256:
        found.setdefault(TOKEN_HOLDER, settings.write_token_sha256.lower())
    return found


def staff_for_token(settings: Settings, token: str) -> str | None:
    """The name whose token this is (a bearer token), or None."""
    if not token:
        return None
    given = token_sha256(token)
    found = None
    for name, digest in accounts(settings).items():
        if hmac.compare_digest(given, digest) and found is None:
            found = name
    return found


def check_sign_in(settings: Settings, name: str, token: str) -> bool:
    """True if `token` is the token of staff member `name`."""
    given = token_sha256(token) if token else ""
    matched = False
    for known, digest in accounts(settings).items():
        same = hmac.compare_digest(given, digest)
        matched |= same and hmac.compare_digest(known.encode(), name.encode())
    return matched


def fingerprint(settings: Settings, name: str) -> str | None:
    """A short value that changes when the person's token changes or the person is removed: kept in the session,
    so that a session ends when its token is rotated or revoked. None if there is no such person."""
    digest = accounts(settings).get(name)
    if digest is None:
        return None
    return hashlib.sha256(b"l4a-session:" + digest.encode()).hexdigest()[:32]
