from __future__ import annotations

import threading
from functools import lru_cache

from ...config import Settings, get_settings
from . import Registrar


@lru_cache(maxsize=1)
def _sandbox():
    from .sandbox import SandboxRegistrar

    return SandboxRegistrar()


_override: Registrar | None = None


def set_registrar_override(registrar: Registrar | None) -> None:
    """Tests point the shop at another registrar (e.g. the DNA client on the fake DNA server)."""
    global _override
    _override = registrar


def get_registrar(settings: Settings | None = None) -> Registrar:
    if _override is not None:
        return _override
    settings = settings or get_settings()
    if settings.registrar == "sandbox":
        return _sandbox()
    return _dna(settings)


_dna_cache: dict[tuple, Registrar] = {}
_dna_lock = threading.Lock()


def _dna(settings: Settings) -> Registrar:
    """One DNA client per account and endpoint: its httpx connection pool is shared by every request
    (httpx.Client is thread-safe) instead of a new pool, never closed, per call."""
    from ..dna import DnaRegistrar  # the DNA client (integrations/dna)

    key = (settings.dna_username, settings.dna_password, settings.dna_endpoint, settings.dna_timeout)
    with _dna_lock:
        if key not in _dna_cache:
            for old in _dna_cache.values():
                old.client.close()
            _dna_cache.clear()
            _dna_cache[key] = DnaRegistrar.from_settings(settings)
        return _dna_cache[key]
