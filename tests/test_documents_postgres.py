"""The nomination documents on the production backends: PostgreSQL for the answers and the
PDFs, Redis for the dialog state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import RunningBot, make_settings, start_bot
from tests.fake_telegram import FakeTelegramServer
from tests.test_documents import ANSWERS, INN, PASSPORT_NUMBER, answer_all, receive_package
from tests.test_documents import clock as clock  # the fixture, re-exported
from tests.test_registration import register


@pytest.fixture
async def production(
    data_dir: Path, telegram: FakeTelegramServer, postgres_url: str, redis_url: str
) -> AsyncIterator[RunningBot]:
    settings = make_settings(
        data_dir, bot_api_url=telegram.base_url, database_url=postgres_url, redis_url=redis_url
    )
    async for running_bot in start_bot(settings, telegram):
        yield running_bot


@pytest.mark.postgres
@pytest.mark.redis
async def test_documents_on_postgres_and_redis(production: RunningBot, clock: object) -> None:
    running = production
    user = running.user()
    await register(user)
    await user.send("/documents")
    await answer_all(running, user, ANSWERS)
    files = await receive_package(running, user, 1)
    assert PASSPORT_NUMBER in files["Заявление_о_согласии_Иванов_v1.pdf"]
    await user.press("Отправить координатору")
    await user.expect("отправлен координатору")
    coordinator = await running.coordinator('mf:"Гавань"')
    await coordinator.send("/pending")
    await coordinator.expect("Ждут проверки: 1")
    await coordinator.press("документы на выдвижение")
    await coordinator.expect("Проверьте данные и решите")
    await coordinator.press("Принять")
    await user.expect("Координатор одобрил")
    async with running.app.session_factory() as session:
        stored = (
            await session.execute(text("SELECT string_agg(value_enc, '') FROM nomination_answers"))
        ).scalar_one()
        status = (await session.execute(text("SELECT status FROM nomination_packages"))).scalar()
    assert stored and PASSPORT_NUMBER not in stored and INN not in stored
    assert status == "APPROVED"
