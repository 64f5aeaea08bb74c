"""The worker: does the slow work with the outside world that pages queue as jobs (core/jobs.py).

    python jobs/worker.py                  # long-running (systemd): claims due jobs, sleeps when idle
    python jobs/worker.py --threads 4      # four jobs at a time in this process (default 2)
    python jobs/worker.py --once           # run every job due now, then exit (cron, tests)
    python jobs/worker.py --status         # queue counts and the jobs that gave up
    python jobs/worker.py --retry 12 15    # give failed jobs 12 and 15 a new round of attempts

Safe to run on several hosts at once: each job is claimed with a conditional UPDATE and held under a
lease (JOB_LEASE_SECONDS); a worker that dies mid-job leaves it to be taken over when the lease ends,
and the job's next attempt asks the provider what happened before doing anything again. SIGTERM (or
Ctrl-C) lets the jobs in hand finish, then stops.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kmerhosting.config import ConfigError, get_settings  # noqa: E402

log = logging.getLogger("kmerhosting.worker")


def worker_id(thread: int) -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{thread}"


def serve(threads: int) -> None:
    from kmerhosting.core import jobs

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    poll = get_settings().worker_poll_seconds

    def loop(number: int) -> None:
        me = worker_id(number)
        while not stop.is_set():
            try:
                busy = jobs.run_one(me)
            except Exception:  # noqa: BLE001  (a database hiccup must not kill the worker; the next poll retries)
                log.exception("worker %s: could not claim or settle a job", me)
                busy = False
            if not busy:
                stop.wait(poll)

    workers = [threading.Thread(target=loop, args=(n,), name=f"worker-{n}") for n in range(threads)]
    for thread in workers:
        thread.start()
    log.info("worker started: %d thread(s), polling every %gs", threads, poll)
    for thread in workers:
        while thread.is_alive():
            thread.join(timeout=0.5)  # wakes up for signals
    log.info("worker stopped")


def print_status() -> None:
    from kmerhosting.core import jobs
    from kmerhosting.db import session_scope

    with session_scope() as session:
        status = jobs.queue_status(session)
        print("jobs: " + ", ".join(f"{k} {v}" for k, v in sorted(status.counts.items())) or "jobs: none")
        if status.oldest_due_seconds:
            print(f"oldest due job has waited {status.oldest_due_seconds:.0f}s")
        for job in status.failed:
            print(f"failed #{job.id} {job.kind} {job.payload} after {job.attempts} attempts: {job.last_error[:200]}")


def retry_failed(ids: list[int]) -> int:
    from kmerhosting.core import jobs
    from kmerhosting.db import session_scope

    with session_scope() as session:
        queued = [job_id for job_id in ids if jobs.requeue(session, job_id)]
    print(f"queued again: {queued or 'none'} (only failed jobs can be)")
    return 0 if len(queued) == len(ids) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="KmerHosting worker (durable jobs)")
    parser.add_argument("--once", action="store_true", help="run every job due now, then exit")
    parser.add_argument("--threads", type=int, default=2, help="jobs run at a time in this process")
    parser.add_argument("--status", action="store_true", help="print queue counts and failed jobs")
    parser.add_argument("--retry", type=int, nargs="+", metavar="JOB_ID", help="queue failed jobs again")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        get_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.status:
        print_status()
        return 0
    if args.retry:
        return retry_failed(args.retry)
    if args.once:
        from kmerhosting.core import jobs

        count = jobs.run_until_idle(worker_id(0))
        print(f"worker: {count} job(s) run")
        return 0
    serve(max(1, args.threads))
    return 0


if __name__ == "__main__":
    sys.exit(main())
