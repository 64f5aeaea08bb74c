"""The home page: the pack catalogue with its prices."""

from __future__ import annotations

import reflex as rx

from ..core.catalog import active_packs
from ..db import session_scope
from .base import BaseState, Worded
from .views import PackCard, pack_card, pack_values


class HomeState(Worded, BaseState):
    _packs: list = []  # pack values (views.pack_values)

    @rx.var
    def packs(self) -> list[PackCard]:
        return [pack_card(p, self._page_lang()) for p in self._packs]

    @rx.event
    def load(self):
        self._reword()
        with session_scope() as session:
            self._packs = [pack_values(p) for p in active_packs(session)]
