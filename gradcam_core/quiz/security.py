"""Join codes, teacher keys, nicknames and rate limits: what keeps a room to its class.

- A **join code** is 6 characters drawn with ``secrets`` from 20 letters and digits that are
  hard to mistake for one another on a projector (no 0/O/Q, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V):
  20^6 = 64 million codes. Typed codes are read leniently (case, spaces, dashes).
- A **teacher key** is 4 groups of 4 such characters (69 bits), shown once. Only a salted scrypt
  hash is stored (n = 2^14, r = 8, p = 1: 16 MB and tens of milliseconds per try), and a key is
  checked with ``hmac.compare_digest`` (constant time).
- A **nickname** is optional: Unicode-normalized (NFKC), control and format characters removed
  (bidi overrides, zero-width marks), whitespace collapsed, at most 24 characters. It is stored as
  text and must be shown as text (never as Markdown or HTML).
- A **rate limit** is a token bucket per session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

CODE_ALPHABET = "ACDEFHJKMNPRTWXY3479"
CODE_LENGTH = 6
KEY_GROUPS = 4
KEY_GROUP_LENGTH = 4
NICKNAME_MAX = 24
_SEPARATORS = re.compile(r"[\s\-_.·]+")

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
_HASH_PREFIX = "scrypt"


def new_join_code() -> str:
    """A random 6-character join code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_join_code(typed: str) -> str | None:
    """The code a person typed (any case, spaces or dashes), or None if it cannot be one."""
    code = _SEPARATORS.sub("", unicodedata.normalize("NFKC", typed or "")).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def new_teacher_key() -> str:
    """A random teacher key: four groups of four characters, e.g. 'K7MX-3PAD-...'."""
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(KEY_GROUP_LENGTH))
        for _ in range(KEY_GROUPS)
    )
    return "-".join(groups)


def _canonical_key(key: str) -> bytes:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", key or "")).upper().encode()


def _scrypt(key: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    maxmem = 2 * 128 * r * n  # scrypt needs 128 r n bytes; OpenSSL's default cap is 32 MB
    return hashlib.scrypt(key, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=HASH_BYTES)


def hash_key(key: str) -> str:
    """'scrypt$n$r$p$salt$hash' (base64) of the key, with a fresh random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(_canonical_key(key), salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    parts = (_HASH_PREFIX, str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest))
    return "$".join(parts)


def verify_key(key: str, stored: str) -> bool:
    """Does the key match the stored hash? Constant-time comparison; False for a bad record."""
    try:
        prefix, n, r, p, salt, digest = stored.split("$")
        cost = (int(n), int(r), int(p))
        if prefix != _HASH_PREFIX or cost != (SCRYPT_N, SCRYPT_R, SCRYPT_P):
            return False  # only the parameters this module writes: no memory bomb from a record
        expected = base64.b64decode(digest, validate=True)
        given = _scrypt(_canonical_key(key), base64.b64decode(salt, validate=True), *cost)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(given, expected)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}


def clean_nickname(given: str | None, limit: int = NICKNAME_MAX) -> str | None:
    """A nickname fit to store and show as text, or None when nothing is left.

    NFKC (full-width letters become plain ones), control, format, private-use and unassigned
    characters dropped, every run of whitespace one space, trimmed, cut to ``limit`` characters.
    Markup characters stay: the nickname is shown as text, so '<b>' reads as '<b>'.
    """
    if not given:
        return None
    text = unicodedata.normalize("NFKC", given[: limit * 8])
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )
    cleaned = " ".join(kept.split())[:limit].strip()
    return cleaned or None


@dataclass
class RateLimiter:
    """A token bucket: ``capacity`` actions at once, refilled at ``per_second``; thread-safe.

    ``allow()`` takes a token when there is one. ``wait_seconds()`` says how long until the next.
    """

    capacity: float
    per_second: float
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self._tokens = float(self.capacity)
        self._last = self.clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self.clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.per_second)
        self._last = now

    def allow(self) -> bool:
        """Take one token if there is one."""
        with self._lock:
            self._refill()
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False

    def wait_seconds(self) -> float:
        """Seconds until a token is free (0 when one is)."""
        with self._lock:
            self._refill()
            return max(0.0, (1.0 - self._tokens) / self.per_second)
