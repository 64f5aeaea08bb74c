"""The home page: the pack catalogue with its prices."""

from __future__ import annotations

import reflex as rx

from ..core.catalog import active_packs
from ..db import session_scope
from .base import BaseState
from .views import PackCard, pack_card


class HomeState(BaseState):
    packs: list[PackCard] = []

    @rx.event
    def load(self):
        with session_scope() as session:
            self.packs = [pack_card(p) for p in active_packs(session)]
