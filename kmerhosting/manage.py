"""Operations commands: `python -m kmerhosting.manage migrate|downgrade|seed|setup|check`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from .config import PROJECT_ROOT, ConfigError, get_settings


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    if url:
        cfg.attributes["url"] = url
    return cfg


def migrate(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def run_seed() -> None:
    from .db import session_scope
    from .seed import seed

    settings = get_settings()
    with session_scope() as session:
        result = seed(session, settings)
    if result.packs_created:
        print(f"Seeded {result.packs_created} hosting packs.")
    if result.admin_email:
        print(f"Admin account created: {result.admin_email}")
        if result.admin_password:
            print("  Generated password (shown once, change it after logging in): "
                  f"{result.admin_password}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kmerhosting.manage")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("check", help="validate the settings and exit")
    sub.add_parser("migrate", help="apply all migrations")
    down = sub.add_parser("downgrade", help="revert migrations (default: all)")
    down.add_argument("revision", nargs="?", default="base")
    sub.add_parser("seed", help="create default packs and the first admin")
    sub.add_parser("setup", help="migrate, then seed")
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.cmd == "check":
        print(f"Settings OK ({settings.env}, database {settings.database_url.split('://')[0]}).")
    elif args.cmd == "migrate":
        migrate()
    elif args.cmd == "downgrade":
        downgrade(revision=args.revision)
    elif args.cmd == "seed":
        run_seed()
    elif args.cmd == "setup":
        if settings.is_sqlite:
            Path(settings.database_url.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        migrate()
        run_seed()
    return 0


if __name__ == "__main__":
    sys.exit(main())
