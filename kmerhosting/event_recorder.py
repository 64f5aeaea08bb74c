"""Which event handlers the running app runs, for the browser tests' handler coverage check.

The app installs the recorder only when KMER_RECORD_EVENTS names a file (tests/live.py sets it for
the apps it starts); otherwise there is no recorder at all and events cost nothing more.

Reflex hands every event it processes (clicks, form submits, on_load and on_mount events, events
returned by other handlers, background handlers) to the app's middleware before running the
handler (`BaseStateEventProcessor._execute_event` calls `App._preprocess`), with the event's full
name: the state's path and the handler, e.g. `reflex___state____state.<...>____cart_state.add_pack`.
Each process appends a name the first time it sees it, in one short O_APPEND write, so several
backend workers can share one file without mixing their lines.
"""

from __future__ import annotations

import os

import reflex as rx


class EventRecorder(rx.Middleware):
    def __init__(self, path: str):
        self.path = path
        self._seen: set[str] = set()

    async def preprocess(self, app, state, event):
        name = getattr(event, "name", "")
        if name and name not in self._seen:
            self._seen.add(name)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, (name + "\n").encode())
            finally:
                os.close(fd)
        return None  # never changes what the event does


def install(app: rx.App, path: str) -> None:
    """First in line, so no other middleware can answer an event before it is recorded."""
    app.add_middleware(EventRecorder(path), index=0)
