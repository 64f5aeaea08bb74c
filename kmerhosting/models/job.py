from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_at_field, str_field, text_field, utcnow
from .enums import JobStatus


class Job(SQLModel, table=True):
    """Slow work with the outside world (registrar, mail, later gateways and panels), done by `jobs/worker.py`.

    A job row is written in the same transaction as the money or record it concerns (the transactional
    outbox), so a committed payment always has its job and a rolled-back one never does. `dedupe_key`
    (unique) makes a second job for the same piece of work impossible. A worker takes a job with a
    conditional UPDATE (status and attempts as they were read), holds it for `lease_until`, and settles
    it only while it still holds it: several workers on several hosts never run one job twice at once.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        sa.Index("ix_jobs_status_run_after", "status", "run_after"),
        sa.Index("ix_jobs_user_id", "user_id"),
        sa.Index("ix_jobs_kind_status", "kind", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = str_field(40)
    status: str = str_field(16, default=JobStatus.queued)
    dedupe_key: str | None = str_field(120, default=None, nullable=True, unique=True)
    # Ids of the rows the job works on; never a secret (those are sealed where they are kept).
    payload: dict = Field(default_factory=dict, sa_type=sa.JSON)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    attempts: int = 0
    max_attempts: int = 10
    run_after: datetime = Field(default_factory=utcnow, nullable=False)
    lease_owner: str = str_field(64, default="")
    lease_until: datetime | None = None
    last_error: str = text_field(default="")
    result: dict = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = created_at_field()
    updated_at: datetime | None = None
    finished_at: datetime | None = None
