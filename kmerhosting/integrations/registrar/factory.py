from __future__ import annotations

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
    from ..dna import DnaRegistrar  # the DNA client (integrations/dna)

    return DnaRegistrar.from_settings(settings)
