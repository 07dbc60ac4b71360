"""Encryption at rest, settings that stop start-up with one clear line, the command line, and
logging that never prints a secret."""

from __future__ import annotations

import csv
import io
import logging
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet

from bot.config import ConfigError, ensure_data_key, load_settings
from bot.db.migrate import alembic_config
from bot.logging_setup import RedactSecrets
from bot.services.crypto import DecryptionError, FieldCipher
from tests.conftest import DATA_KEY, TOKEN, make_settings

REPO_ROOT = Path(__file__).resolve().parent.parent
OLD_KEY = DATA_KEY
NEW_KEY = "t0JYvWk6Jm1pG7b8e0v3N9Qw2Ls5Xc4Rz6Hd8Ka1Uf0="

# Settings read the environment and `.env`: every config test starts from neither.
SETTINGS_VARIABLES = (
    "BOT_TOKEN",
    "BOT_API_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "ADMIN_IDS",
    "DATA_KEY",
    "TIMEZONE",
    "DEFAULT_LOCALE",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_HOST",
    "WEBHOOK_PORT",
    "DATA_DIR",
    "LOG_LEVEL",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    return tmp_path


# FieldCipher


def test_round_trip_and_ciphertext_hides_the_value() -> None:
    cipher = FieldCipher([OLD_KEY])
    first = cipher.encrypt("+79111234567")
    second = cipher.encrypt("+79111234567")
    assert first is not None and second is not None
    assert "79111234567" not in first
    assert first != second  # a random IV: equal values don't give equal ciphertexts
    assert cipher.decrypt(first) == cipher.decrypt(second) == "+79111234567"
    assert cipher.encrypt(None) is None
    assert cipher.decrypt(None) is None


def test_unicode_round_trip() -> None:
    cipher = FieldCipher([OLD_KEY])
    assert cipher.decrypt(cipher.encrypt("Иванова Ёлка 🎉")) == "Иванова Ёлка 🎉"


def test_rotation_keeps_old_values_readable_and_rotate_moves_them_to_the_new_key() -> None:
    old = FieldCipher([OLD_KEY])
    rotated = FieldCipher([NEW_KEY, OLD_KEY])
    new_only = FieldCipher([NEW_KEY])
    stored = old.encrypt("maria@example.ru")
    assert stored is not None
    assert rotated.decrypt(stored) == "maria@example.ru"
    with pytest.raises(DecryptionError):
        new_only.decrypt(stored)

    re_encrypted = rotated.rotate(stored)
    assert re_encrypted != stored
    assert new_only.decrypt(re_encrypted) == "maria@example.ru"
    with pytest.raises(DecryptionError):
        old.decrypt(re_encrypted)

    # New writes use the newest key.
    fresh = rotated.encrypt("x")
    assert fresh is not None and new_only.decrypt(fresh) == "x"


def test_blind_index_is_stable_across_rotation_and_keyed() -> None:
    old = FieldCipher([OLD_KEY])
    rotated = FieldCipher([NEW_KEY, OLD_KEY])
    other = FieldCipher([NEW_KEY])
    index = old.blind_index("+79111234567")
    assert rotated.blind_index("+79111234567") == index
    assert other.blind_index("+79111234567") != index
    assert old.blind_index("+79111234568") != index
    assert "79111234567" not in index
    assert len(index) == 64


def test_wrong_key_raises_decryption_error() -> None:
    stored = FieldCipher([OLD_KEY]).encrypt("secret")
    assert stored is not None
    with pytest.raises(DecryptionError):
        FieldCipher([Fernet.generate_key().decode()]).decrypt(stored)
    with pytest.raises(DecryptionError):
        FieldCipher([OLD_KEY]).decrypt("not a token")


def test_cipher_needs_a_key() -> None:
    with pytest.raises(ValueError):
        FieldCipher([])


# load_settings


@pytest.mark.parametrize(
    ("variable", "bad"),
    [
        ("ADMIN_IDS", "12345,abc"),
        ("ADMIN_IDS", "-5"),
        ("DATA_KEY", "not-a-fernet-key"),
        ("DATA_KEY", f"{OLD_KEY},short"),
        ("TIMEZONE", "Mars/Olympus_Mons"),
        ("BOT_TOKEN", "123456TEST_TOKEN_without_colon"),
        ("BOT_TOKEN", "123456:short"),
        ("DATABASE_URL", "mysql://root@localhost/shtab"),
        ("DATABASE_URL", "sqlite:///plain-sync-driver.db"),
        ("WEBHOOK_SECRET", "has spaces and ! marks"),
        ("WEBHOOK_SECRET", "x" * 257),
    ],
)
@pytest.mark.parametrize("source", ["argument", "environment"])
def test_bad_setting_names_the_variable(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, variable: str, bad: str, source: str
) -> None:
    if source == "environment":
        monkeypatch.setenv(variable, bad)
        overrides: dict[str, object] = {}
    else:
        overrides = {variable.lower(): bad}
    with pytest.raises(ConfigError) as caught:
        load_settings(data_dir=clean_env, **overrides)
    message = str(caught.value)
    assert message.startswith(f"{variable}:"), message
    assert "\n" not in message
    if variable == "BOT_TOKEN":
        assert bad not in message
        assert bad.split(":")[-1] not in message


def test_good_settings_load(clean_env: Path) -> None:
    settings = load_settings(
        bot_token=TOKEN,
        admin_ids="1, 2;3",
        data_key=f" {NEW_KEY} , {OLD_KEY} ",
        timezone="Asia/Yekaterinburg",
        webhook_secret="abc_DEF-123",
        data_dir=clean_env,
    )
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.data_keys == [NEW_KEY, OLD_KEY]
    assert settings.bot_token is not None and TOKEN not in repr(settings)
    assert settings.database_url == f"sqlite+aiosqlite:///{clean_env / 'shtab.db'}"
    assert settings.is_sqlite


# ensure_data_key


def test_ensure_data_key_generates_a_private_key_once(tmp_path: Path, clean_env: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    settings = make_settings(data_dir, data_key="")
    assert settings.data_key is None
    notice = ensure_data_key(settings)
    key_file = data_dir / "data.key"
    assert notice is not None and str(key_file) in notice
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    Fernet(key.encode())  # a valid key
    assert settings.data_keys == [key]

    again = make_settings(data_dir, data_key="")
    assert ensure_data_key(again) is None
    assert again.data_keys == [key]
    assert key_file.read_text().strip() == key


def test_ensure_data_key_keeps_a_configured_key(tmp_path: Path, clean_env: Path) -> None:
    settings = make_settings(tmp_path)
    assert ensure_data_key(settings) is None
    assert settings.data_keys == [DATA_KEY]
    assert not (tmp_path / "data.key").exists()


def test_key_file_readable_by_others_is_refused(tmp_path: Path, clean_env: Path) -> None:
    key_file = tmp_path / "data.key"
    key_file.write_text(Fernet.generate_key().decode())
    key_file.chmod(0o644)
    settings = make_settings(tmp_path, data_key="")
    with pytest.raises(ConfigError) as caught:
        ensure_data_key(settings)
    assert str(caught.value).startswith("DATA_KEY:")
    assert "644" in str(caught.value)
    assert settings.data_key is None


def test_postgres_needs_data_key_from_the_environment(tmp_path: Path, clean_env: Path) -> None:
    settings = make_settings(
        tmp_path, data_key="", database_url="postgresql+asyncpg://u@127.0.0.1/db"
    )
    with pytest.raises(ConfigError) as caught:
        ensure_data_key(settings)
    assert str(caught.value).startswith("DATA_KEY:")
    assert not (tmp_path / "data.key").exists()


# The command line, as an operator runs it: each process runs once per module (each with its own
# DATA_DIR) and the tests read their results.

IMPORT_ARGS = ("--election", "e1", "--name", "N", "--date", "2027-09-19", "--current")


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@dataclass(frozen=True)
class CliRuns:
    root: Path
    results: dict[str, subprocess.CompletedProcess[str]]

    def __getitem__(self, name: str) -> subprocess.CompletedProcess[str]:
        return self.results[name]


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> CliRuns:
    root = tmp_path_factory.mktemp("cli")
    good_csv = write_csv(
        root / "districts.csv",
        ["admin_district", "municipal_formation", "district_number", "seats", "voters"],
        [
            ["Центральный", "Тестовое", 1, 5, 1000],
            ["Центральный", "Тестовое", 2, 3, ""],
            ["Невский", "Другое", 1, 4, 2000],
        ],
    )
    bad_csv = write_csv(
        root / "bad.csv", ["municipal_formation", "district_number"], [["Тестовое", 1]]
    )

    def import_twice() -> list[tuple[str, subprocess.CompletedProcess[str]]]:
        args = ("import-districts", str(good_csv), *IMPORT_ARGS)
        first = run_cli(*args, DATA_DIR=str(root / "imported"))
        second = run_cli(*args, DATA_DIR=str(root / "imported"))
        return [("import-1", first), ("import-2", second)]

    def single(name: str, *args: str, **env: str) -> Callable[[], list[tuple[str, Any]]]:
        return lambda: [(name, run_cli(*args, **env))]

    jobs = [
        import_twice,
        single("migrate", "migrate", DATA_DIR=str(root / "migrated")),
        single("admin-ids", "migrate", ADMIN_IDS="12,boss", DATA_DIR=str(root / "admin")),
        single(
            "bad-token",
            "migrate",
            BOT_TOKEN="123456:AAH-real-looking-token with-a-space",
            DATA_DIR=str(root / "token"),
        ),
        single("genkey", "genkey"),
        single(
            "bad-csv",
            "import-districts",
            str(bad_csv),
            *IMPORT_ARGS,
            DATA_DIR=str(root / "bad"),
        ),
    ]
    results = dict(pair for job in jobs for pair in job())
    return CliRuns(root, results)


def test_cli_malformed_admin_ids_exits_2_with_one_line(cli: CliRuns) -> None:
    result = cli["admin-ids"]
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "ADMIN_IDS" in lines[0]
    assert "'boss'" in lines[0]
    assert not (cli.root / "admin" / "shtab.db").exists()


def test_cli_bad_token_is_not_echoed(cli: CliRuns) -> None:
    result = cli["bad-token"]
    assert result.returncode == 2
    assert "BOT_TOKEN" in result.stderr
    assert "AAH-real-looking-token" not in result.stderr + result.stdout


def test_cli_genkey_prints_a_fernet_key(cli: CliRuns) -> None:
    result = cli["genkey"]
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1
    key = result.stdout.strip().encode()
    assert Fernet(key).decrypt(Fernet(key).encrypt(b"x")) == b"x"


def test_cli_migrate_creates_the_database_and_a_private_key(cli: CliRuns) -> None:
    result = cli["migrate"]
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    data_dir = cli.root / "migrated"
    with sqlite3.connect(data_dir / "shtab.db") as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        version = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    assert {"users", "candidates", "audit_log", "fsm_records"} <= tables
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert version == [(head,)]
    # No DATA_KEY on the embedded default: one is generated, privately, and announced.
    assert stat.S_IMODE((data_dir / "data.key").stat().st_mode) == 0o600
    assert "DATA_KEY" in result.stderr


def test_cli_import_districts_is_idempotent(cli: CliRuns) -> None:
    first, second = cli["import-1"], cli["import-2"]
    assert first.returncode == 0, first.stderr
    assert "3 rows" in first.stdout
    assert "formations added 2, districts added 3, updated 0" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "formations added 0, districts added 0, updated 0" in second.stdout

    with sqlite3.connect(cli.root / "imported" / "shtab.db") as connection:
        elections = connection.execute(
            "SELECT code, name, election_day, is_current FROM elections"
        ).fetchall()
        districts = connection.execute(
            "SELECT f.name, f.admin_district, d.number, d.seats, d.voters "
            "FROM electoral_districts d JOIN municipal_formations f ON f.id = d.formation_id "
            "ORDER BY f.name, d.number"
        ).fetchall()
    assert elections == [("e1", "N", "2027-09-19", 1)]
    assert districts == [
        ("Другое", "Невский", 1, 4, 2000),
        ("Тестовое", "Центральный", 1, 5, 1000),
        ("Тестовое", "Центральный", 2, 3, None),
    ]


def test_cli_import_with_a_missing_column_exits_2(cli: CliRuns) -> None:
    result = cli["bad-csv"]
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if "config error" in line]
    assert len(error_lines) == 1, result.stderr
    assert "seats" in error_lines[0]
    assert "lacks the columns" in error_lines[0]


# RedactSecrets


def redacting_logger(
    name: str, secrets: list[str]
) -> tuple[logging.Logger, io.StringIO, logging.Handler]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger, stream, handler


@pytest.fixture
def redacted() -> tuple[logging.Logger, io.StringIO]:
    logger, stream, handler = redacting_logger("tests.redact", [TOKEN, DATA_KEY, ""])
    yield logger, stream  # type: ignore[misc]
    logger.removeHandler(handler)


def test_token_in_message_is_redacted(redacted: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = redacted
    logger.warning(f"calling https://api.telegram.org/bot{TOKEN}/getMe")
    output = stream.getvalue()
    assert TOKEN not in output
    assert "https://api.telegram.org/bot***/getMe" in output


def test_token_in_args_is_redacted(redacted: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = redacted
    logger.info("token=%s key=%s n=%d", TOKEN, DATA_KEY, 3)
    output = stream.getvalue()
    assert TOKEN not in output and DATA_KEY not in output
    assert "token=*** key=*** n=3" in output


def test_innocent_lines_pass_unchanged(redacted: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = redacted
    logger.info("%d updates from %s", 2, "Мария")
    assert stream.getvalue() == "INFO 2 updates from Мария\n"


def test_token_in_a_logged_exception_is_redacted(
    redacted: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = redacted
    try:
        raise RuntimeError(f"GET https://api.telegram.org/bot{TOKEN}/getUpdates failed")
    except RuntimeError:
        logger.exception("polling failed")
    output = stream.getvalue()
    assert "polling failed" in output
    assert TOKEN not in output
