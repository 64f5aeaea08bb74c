"""Values the shop must keep for a while but must not keep readable: sealed with a key derived from
SECRET_KEY (Fernet: AES-128-CBC + HMAC-SHA256, from the `cryptography` package).

Used for the one-time links of a mail waiting to be sent (verification, password reset, e-mail
change): the database keeps only the token's hash and this sealed copy of the link, which is dropped
as soon as the mail has left. A database dump without SECRET_KEY opens nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken

from ..config import get_settings


def _fernet(purpose: str) -> Fernet:
    digest = hashlib.sha256(f"kmerhosting:{purpose}:{get_settings().secret_key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(values: dict, purpose: str) -> str:
    return _fernet(purpose).encrypt(json.dumps(values).encode()).decode()


def unseal(token: str, purpose: str) -> dict:
    """The sealed values, or {} when the token was sealed with another key (SECRET_KEY changed)."""
    try:
        return json.loads(_fernet(purpose).decrypt(token.encode()))
    except (InvalidToken, ValueError):
        return {}
