"""`python -m bot import-supporters FILE --org NAME [--dry-run] [--map field=Column]` and
`python -m bot export-supporters --out FILE.csv`: the command-line side of the supporter
base (bot/__main__.py only registers the arguments and calls these)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.config import ConfigError, Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.repositories.supporters import Visibility
from bot.db.uow import UnitOfWorkFactory
from bot.i18n import Catalog
from bot.services import supporters
from bot.services.errors import InputError
from bot.services.export import render_csv
from bot.services.keyring import Keyring
from bot.services.supporters_files import MAX_REPORTED, FileError, blocking


def add_arguments(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imports = commands.add_parser(
        "import-supporters", help="import an organisation's supporter file (CSV or XLSX)"
    )
    imports.add_argument("file", type=Path)
    imports.add_argument("--org", required=True, help="organisation code, e.g. civic")
    imports.add_argument("--dry-run", action="store_true", help="report only, change nothing")
    imports.add_argument("--encoding", help="utf-8 or cp1251 (default: detected)")
    imports.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="override the detected column of a field (empty COLUMN: ignore the field)",
    )
    exports = commands.add_parser(
        "export-supporters", help="write every supporter to CSV, with their source records"
    )
    exports.add_argument("--out", type=Path, required=True)


async def _keyring(settings: Settings, uow_factory: UnitOfWorkFactory) -> Keyring:
    """The bot's own key hierarchy, loaded from the database: what the command line writes
    is encrypted and blind-indexed exactly as the bot's import would, so the bot reads it,
    deduplicates against it, and the wipe and key rotation cover it."""
    keyring = Keyring(settings.data_keys, uow_factory)
    await keyring.load()
    return keyring


def _text(catalog: Catalog, key: str, **params: object) -> str:
    return catalog.text("en", key, **params)


async def import_command(settings: Settings, args: argparse.Namespace) -> str:
    catalog = Catalog()
    override: dict[str, str | int | None] = {}
    for item in args.map:
        name, _, column = item.partition("=")
        override[name.strip()] = column.strip() or None
    engine = create_engine(settings.database_url)
    try:
        data = args.file.read_bytes()
        uow_factory = UnitOfWorkFactory(create_session_factory(engine))
        keyring = await _keyring(settings, uow_factory)
        async with uow_factory() as uow:
            report = await supporters.import_file(
                uow,
                keyring.cipher,
                data,
                file_name=args.file.name,
                organisation_code=args.org,
                override=override,
                dry_run=args.dry_run,
                encoding=args.encoding,
            )
    except (FileError, InputError) as error:
        raise ConfigError(_text(catalog, error.code, **error.params)) from None
    except OSError as error:
        raise ConfigError(f"{args.file}: {error.strerror}") from None
    finally:
        await engine.dispose()
    lines = [
        f"{args.file}: {report.rows} rows ({report.encoding}); columns: "
        + ", ".join(f"{k}={v!r}" for k, v in report.mapping.items())
    ]
    for problem in report.problems[:MAX_REPORTED]:
        lines.append("  " + problem_text(catalog, "en", problem))
    if len(report.problems) > MAX_REPORTED:
        lines.append(f"  ... and {len(report.problems) - MAX_REPORTED} more")
    if report.refused:
        errors = len(blocking(report.problems))
        raise ConfigError("\n".join([*lines, f"refused: {errors} errors, nothing imported"]))
    state = "dry run, nothing written" if report.dry_run else "imported"
    lines.append(
        f"{state}: new {report.created}, merged {report.merged}, unchanged {report.unchanged}, "
        f"updated {report.updated}, to review {report.to_review}, "
        f"without district {report.unassigned}, skipped {report.skipped}"
    )
    return "\n".join(lines)


def problem_text(catalog: Catalog, locale: str, problem: supporters.Problem) -> str:
    key = supporters.PROBLEM_KEYS[problem.code]
    return catalog.text(locale, key, row=problem.row, column=problem.column or "—")


async def export_command(settings: Settings, args: argparse.Namespace) -> str:
    engine = create_engine(settings.database_url)
    try:
        uow_factory = UnitOfWorkFactory(create_session_factory(engine))
        keyring = await _keyring(settings, uow_factory)
        async with uow_factory() as uow:
            table = await supporters.export_table(
                uow, keyring.cipher, Visibility(everyone=True), None, "cli"
            )
    finally:
        await engine.dispose()
    args.out.write_bytes(render_csv(table))
    args.out.chmod(0o600)  # personal data: not for other accounts on the machine
    return f"{args.out}: {len(table.rows)} supporters"
