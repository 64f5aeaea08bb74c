"""What every admin operation shares: the actor check, paging, text filters, mail to send after commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from ...models import Role, User, UserStatus
from ..args import parse_id
from ..errors import InvalidInput, NotAuthorized

log = logging.getLogger(__name__)

PER_PAGE = 25
MAX_PER_PAGE = 200


def require_admin(session: Session, actor_id) -> User:
    """The acting user, if it is an active admin; NotAuthorized otherwise."""
    if isinstance(actor_id, bool) or not isinstance(actor_id, int):
        raise NotAuthorized()
    actor = session.get(User, actor_id)
    if actor is None or actor.role != Role.admin or actor.status != UserStatus.active:
        raise NotAuthorized()
    return actor


def as_int(value, key: str = "error.invalid_input", *, minimum: int | None = None,
           maximum: int | None = None, **params) -> int:
    """A whole number from a form value ("12 500" allowed); InvalidInput(key) otherwise."""
    if isinstance(value, bool):
        raise InvalidInput(key, **params)
    if isinstance(value, str):
        text = value.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
        if not text.lstrip("+-").isdigit() or len(text) > 15:
            raise InvalidInput(key, **params)
        value = int(text)
    if not isinstance(value, int):
        raise InvalidInput(key, **params)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise InvalidInput(key, **params)
    return value


def as_id(value) -> int:
    return parse_id(value)


def clean_text(value, max_len: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput("error.invalid_input")
    return value.strip()[:max_len]


def page_bounds(page, per_page=PER_PAGE) -> tuple[int, int]:
    page = as_int(page, minimum=1, maximum=10**6) if page not in (None, "") else 1
    per_page = as_int(per_page, minimum=1, maximum=MAX_PER_PAGE)
    return page, per_page


def like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def ilike(column, term: str):
    return sa.func.lower(column).like(like(term), escape="\\")


@dataclass
class Page:
    rows: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(session: Session, stmt, page, per_page=PER_PAGE) -> Page:
    page, per_page = page_bounds(page, per_page)
    total = session.execute(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    rows = session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(rows=list(rows), total=int(total), page=page, per_page=per_page)


@dataclass
class Mail:
    """A mail an admin action decided, queued in the action's own transaction (`queue`): it commits
    with the decision, and the worker sends it."""

    template: str
    to_email: str
    lang: str
    context: dict
    refs: dict = field(default_factory=dict)

    def queue(self, session: Session) -> "Mail":
        from ..mailer import send_later  # noqa: PLC0415  (keeps the import graph flat for tests)

        send_later(session, self.template, self.to_email, self.lang, self.context, **self.refs)
        return self
