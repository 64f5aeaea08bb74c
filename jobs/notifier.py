"""The expiry-mail scheduler.

    python jobs/notifier.py                 # long-running: daily run at NOTIFIER_DAILY_AT, retries every
                                            # NOTIFIER_RETRY_MINUTES (systemd); runs once at start-up too
    python jobs/notifier.py --once          # one daily run (statuses, notices, retries), then exit (cron)
    python jobs/notifier.py --once --retries-only   # only send failed mail again (cron, every 30 minutes)
    python jobs/notifier.py --dry-run       # print what would be sent and changed; send and change nothing
    python jobs/notifier.py --once --now 2027-01-10T08:00   # as if the clock said so (tests, catch-up checks)

Safe to run on several hosts at once: each notice and each retry is claimed in the database first.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time as _time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kmerhosting.config import get_settings  # noqa: E402
from kmerhosting.core import notifier  # noqa: E402

log = logging.getLogger("kmerhosting.notifier")


def parse_now(raw: str | None) -> datetime | None:
    """"YYYY-MM-DD[THH:MM]" in the shop's time zone; a bare date means that day at NOTIFIER_DAILY_AT."""
    if not raw:
        return None
    settings = get_settings()
    text = raw if "T" in raw or " " in raw else f"{raw}T{settings.notifier_daily_at}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--now must look like YYYY-MM-DD or YYYY-MM-DDTHH:MM, got {raw!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(settings.timezone))


def print_dry_run(summary: notifier.RunSummary) -> None:
    for template, email, key, context in summary.would_send:
        days = context.get("days_left", context.get("days_ago", 0))
        print(f"would send {template:<16} to {email:<40} {context['kind']} {context['domain']} "
              f"expires {context['expires_on']} ({days} days) key={key}")
    print(f"would send {len(summary.would_send)} notices, skip {summary.skipped}; would mark "
          f"{summary.expired} services expired and {summary.suspended} suspended; "
          f"would retry {summary.retried['sent']} failed mails")


def run_once(now: datetime | None, dry_run: bool, retries_only: bool = False) -> notifier.RunSummary:
    job = notifier.run_retries if retries_only else notifier.run_daily
    summary = job(now, dry_run=dry_run)
    if dry_run:
        print_dry_run(summary)
    else:
        print(summary.line())
    return summary


def serve(dry_run: bool) -> None:
    import schedule

    settings = get_settings()
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(True))
    # schedule reads the host's local clock: set TZ (e.g. Africa/Douala) so NOTIFIER_DAILY_AT means shop time.
    schedule.every().day.at(settings.notifier_daily_at).do(_guarded, notifier.run_daily, dry_run)
    schedule.every(settings.notifier_retry_minutes).minutes.do(_guarded, notifier.run_retries, dry_run)
    log.info("notifier started: daily at %s, retries every %d min", settings.notifier_daily_at,
             settings.notifier_retry_minutes)
    _guarded(notifier.run_daily, dry_run)  # catch up at once after a restart (a rerun sends nothing twice)
    while not stop:
        schedule.run_pending()
        _time.sleep(min(30.0, max(1.0, schedule.idle_seconds() or 1.0)))
    log.info("notifier stopped")


def _guarded(job, dry_run: bool) -> None:
    try:
        job(dry_run=dry_run)
    except Exception:  # noqa: BLE001  (a database hiccup must not kill the scheduler; next cycle retries)
        log.exception("notifier job %s failed", job.__name__)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="KmerHosting expiry notifier")
    parser.add_argument("--once", action="store_true", help="one daily run, then exit (for cron)")
    parser.add_argument("--dry-run", action="store_true", help="print what would be sent; send and change nothing")
    parser.add_argument("--retries-only", action="store_true", help="with --once: only retry failed mail")
    parser.add_argument("--now", type=parse_now, help="run as if it were YYYY-MM-DD[THH:MM] (shop time zone)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.once or args.dry_run or args.now or args.retries_only:
        run_once(args.now, args.dry_run, args.retries_only)
        return 0
    serve(args.dry_run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
