"""The README's run command on the embedded default, as a newcomer uses it: no token, a fresh
data directory, a person typing into the console chat."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = "\n".join(
    [
        "/start",
        "1",  # the consent button
        "Иванова Мария",
        "a",  # the reply keyboard's "share contact"
        "1",  # skip the e-mail
        "3",  # Союз соседей
        "гаван",
        "1",  # Гавань
        "1",  # district #1
        "6",  # confirm
        "/quest",
        "/quit",
    ]
)


@pytest.mark.slow
def test_console_chat_registers_a_candidate_from_a_fresh_start(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        input=SCRIPT + "\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "[1] ✅ Согласен(на) на обработку данных" in out  # numbered inline buttons
    assert "[a] 📱 Поделиться контактом" in out  # the reply keyboard
    assert "Карточка кандидата" in out and "Гавань (Василеостровский р-н), округ №1" in out
    assert "Вы зарегистрированы" in out
    assert "Этап 1 из 9" in out
    key = tmp_path / "data" / "data.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "generated a new key" in result.stderr
    assert (tmp_path / "data" / "shtab.db").exists()
