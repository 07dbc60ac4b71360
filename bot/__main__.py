"""The command line: `python -m bot [run|console|webhook|migrate|import-districts|
import-election|import-addresses|genkey|rotate-keys|backup|restore|migrate-data]`, and
`import-supporters` / `export-supporters`.

`run` (the default) runs the bot by long polling when BOT_TOKEN is set, and otherwise opens
the local console chat on the embedded SQLite default.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bot.config import ConfigError, Settings, ensure_data_key, load_settings
from bot.db.transfer import TransferError
from bot.logging_setup import setup_logging
from bot.quests.loader import QuestError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="long polling with BOT_TOKEN, else the local console chat")
    console = commands.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument("--admin", action="store_true", help="talk as an admin")
    commands.add_parser("webhook", help="serve a webhook (WEBHOOK_URL, WEBHOOK_HOST/PORT)")
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("genkey", help="print a new DATA_KEY")
    commands.add_parser(
        "rotate-keys",
        help="rewrap every data key under the first DATA_KEY (DATA_KEY=new,old), no downtime",
    )
    districts = commands.add_parser("import-districts", help="load an election's districts")
    districts.add_argument(
        "file",
        type=Path,
        help="CSV: municipal_formation, district_number, seats[, voters][, admin_district]",
    )
    districts.add_argument("--election", required=True, help="election code, e.g. spb-2029")
    districts.add_argument("--name", help="election name (for a new election)")
    districts.add_argument("--date", type=date.fromisoformat, help="election day, YYYY-MM-DD")
    districts.add_argument("--current", action="store_true", help="make it the current election")
    election = commands.add_parser(
        "import-election", help="create or update an election (calendar, numbers, districts)"
    )
    election.add_argument(
        "file", type=Path, help="TOML: [election], [election.calendar], [election.config]"
    )
    election.add_argument("--current", action="store_true", help="make it the current election")
    from bot.services.supporters_cli import add_arguments as supporter_arguments

    supporter_arguments(commands)
    addresses = commands.add_parser("import-addresses", help="load a district's address list")
    addresses.add_argument(
        "file",
        type=Path,
        help="CSV: street, house[, building][, apartments][, latitude, longitude]"
        "[, polling_station]",
    )
    addresses.add_argument("--formation", required=True, help="municipal formation's name")
    addresses.add_argument("--district", required=True, type=int, help="district number")
    saved = commands.add_parser("backup", help="copy the SQLite database while the bot runs")
    saved.add_argument(
        "target", type=Path, nargs="?", help="file or directory (default: DATA_DIR/backups/)"
    )
    back = commands.add_parser("restore", help="replace the SQLite database with a backup")
    back.add_argument("file", type=Path, help="a file made by `backup` (stop the bot first)")
    move = commands.add_parser(
        "migrate-data", help="copy everything from SQLite to another database and compare"
    )
    move.add_argument("--to", required=True, help="postgresql+asyncpg://user:pass@host/db")
    return parser


def _backup(settings: Settings, args: argparse.Namespace) -> str:
    from bot.db.transfer import backup

    report = backup(settings.database_url, args.target or settings.data_dir / "backups")
    rows = sum(report.rows.values())
    return (
        f"backup {report.path}: {report.size} bytes, schema {report.revision}, "
        f"{len(report.rows)} tables, {rows} rows, integrity ok\n"
        "The encryption key is not in it: keep data/data.key (or DATA_KEY) with it, apart."
    )


def _restore(settings: Settings, args: argparse.Namespace) -> str:
    from bot.db.migrate import upgrade
    from bot.db.transfer import restore

    report, kept = restore(args.file, settings.database_url)
    upgrade(settings.database_url)  # a backup from an older version gets the newer schema
    lines = [f"restored {report.path} from {args.file}: schema {report.revision}, "
             f"{sum(report.rows.values())} rows"]  # fmt: skip
    if kept is not None:
        lines.append(f"the database it replaced is kept as {kept}")
    if settings.data_key is None and not (settings.data_dir / "data.key").exists():
        lines.append("no DATA_KEY and no data/data.key: put the key of the backup there")
    return "\n".join(lines)


def _migrate_data(settings: Settings, args: argparse.Namespace) -> str:
    from bot.db.transfer import migrate_data

    reports = asyncio.run(migrate_data(settings.database_url, args.to))
    rows = sum(report.target_rows for report in reports)
    return (
        f"moved {rows} rows in {len(reports)} tables; counts and checksums match.\n"
        "Run the instances with DATABASE_URL set to the new database and DATA_KEY set to this "
        "database's key (data/data.key)."
    )


def _prepare(settings: Settings) -> None:
    notice = ensure_data_key(settings)
    if notice:
        logging.getLogger("bot").warning(notice)
        print(notice, file=sys.stderr)
    from bot.db.migrate import upgrade

    upgrade(settings.database_url, data_keys=settings.data_keys)


async def _import_districts(settings: Settings, args: argparse.Namespace) -> str:
    from bot.db.engine import create_engine, create_session_factory
    from bot.db.uow import UnitOfWorkFactory
    from bot.i18n import Catalog
    from bot.services.errors import InputError
    from bot.services.geography import import_districts, parse_districts_csv

    engine = create_engine(settings.database_url)
    catalog = Catalog()
    try:
        rows = parse_districts_csv(args.file.read_text(encoding="utf-8-sig"))
        async with UnitOfWorkFactory(create_session_factory(engine))() as uow:
            summary = await import_districts(
                uow,
                rows,
                election_code=args.election,
                election_name=args.name,
                election_day=args.date,
                make_current=args.current,
            )
    except InputError as error:
        raise ConfigError(catalog.text("en", error.code, **error.params)) from None
    finally:
        await engine.dispose()
    return (
        f"{args.file}: {len(rows)} rows; formations added {summary.formations_added}, "
        f"districts added {summary.districts_added}, updated {summary.districts_updated}"
    )


async def _import_election(settings: Settings, args: argparse.Namespace) -> str:
    from bot.db.engine import create_engine, create_session_factory
    from bot.db.uow import UnitOfWorkFactory
    from bot.i18n import Catalog
    from bot.services.election import import_election
    from bot.services.errors import InputError

    engine = create_engine(settings.database_url)
    catalog = Catalog()
    try:
        async with UnitOfWorkFactory(create_session_factory(engine))() as uow:
            summary = await import_election(uow, args.file, make_current=args.current)
    except InputError as error:
        raise ConfigError(catalog.text("en", error.code, **error.params)) from None
    finally:
        await engine.dispose()
    if summary.created:
        state = "created"
    else:
        state = f"updated ({', '.join(summary.changed)})" if summary.changed else "unchanged"
    line = f"{args.file}: election {summary.code} {state}"
    if summary.is_current:
        line += ", current"
    if summary.districts is not None:
        line += (
            f"; {summary.district_rows} rows; formations added "
            f"{summary.districts.formations_added}, districts added "
            f"{summary.districts.districts_added}, updated {summary.districts.districts_updated}"
        )
    return line


async def _rotate_keys(settings: Settings) -> str:
    from bot.db.engine import create_engine, create_session_factory
    from bot.db.uow import UnitOfWorkFactory
    from bot.services.keyring import Keyring

    engine = create_engine(settings.database_url)
    uow_factory = UnitOfWorkFactory(create_session_factory(engine))
    try:
        keyring = Keyring(settings.data_keys, uow_factory)
        async with uow_factory() as uow:
            changed = await keyring.rotate_master(uow)
    finally:
        await engine.dispose()
    return (
        f"rewrapped {changed} data keys under the first DATA_KEY; once every instance runs "
        "with it, remove the old key from DATA_KEY (backups made before stay readable only "
        "while the old key exists)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "run"
    if command == "genkey":
        from cryptography.fernet import Fernet

        print(Fernet.generate_key().decode())
        return 0
    try:
        settings = load_settings()
        if command in ("backup", "restore", "migrate-data"):
            setup_logging(settings)
            if command == "restore":  # before _prepare: no new key, no migration of the old
                print(_restore(settings, args))
                return 0
            _prepare(settings)
            print((_backup if command == "backup" else _migrate_data)(settings, args))
            return 0
        console = command == "console" or (command == "run" and settings.bot_token is None)
        if console and "LOG_LEVEL" not in os.environ:
            settings.log_level = "WARNING"  # the terminal is the chat: keep it for the chat
        setup_logging(settings)
        _prepare(settings)
        if command == "migrate":
            print("database is up to date")
            return 0
        if command == "import-districts":
            print(asyncio.run(_import_districts(settings, args)))
            return 0
        if command == "import-addresses":
            from bot.services.canvass_addresses import import_addresses_cli

            print(
                asyncio.run(
                    import_addresses_cli(settings, args.file, args.formation, args.district)
                )
            )
            return 0
        if command == "import-election":
            print(asyncio.run(_import_election(settings, args)))
            return 0
        if command in ("import-supporters", "export-supporters"):
            from bot.services import supporters_cli

            run = (
                supporters_cli.import_command
                if command[0] == "i"
                else supporters_cli.export_command
            )
            print(asyncio.run(run(settings, args)))
            return 0
        if command == "rotate-keys":
            print(asyncio.run(_rotate_keys(settings)))
            return 0
        from bot import app

        if command == "webhook":
            asyncio.run(app.run_webhook(settings))
        elif console:
            if getattr(args, "admin", False):
                from bot.telegram.console import DEFAULT_CONSOLE_USER_ID

                settings.admin_ids = settings.admin_ids | {DEFAULT_CONSOLE_USER_ID}
            asyncio.run(app.run_console(settings))
        else:
            asyncio.run(app.run_polling(settings))
    except ConfigError as error:
        print(f"config error: {error}", file=sys.stderr)
        return 2
    except TransferError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except QuestError as error:
        print(f"quest error ({len(error.errors)}):", file=sys.stderr)
        for line in error.errors:
            print(f"  {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
