"""Coordinators find candidates: lists with filters and pages, cards with contacts (audited),
a message to a candidate — always within the coordinator's scope."""

from __future__ import annotations

from bot.telegram.callbacks import DirectoryCb
from tests.conftest import RunningBot
from tests.fake_telegram import VirtualUser


async def enrol(user: VirtualUser, name: str, organisation: str, formation: str) -> None:
    await user.send("/start")
    await user.expect("Согласие на обработку")
    await user.press("Согласен")
    await user.expect("Шаг 1 из 5")
    await user.send(name)
    await user.expect("Шаг 2 из 5")
    await user.share_contact()
    await user.expect("Шаг 3 из 5")
    await user.press("Пропустить")
    await user.expect("Шаг 4 из 5")
    await user.press(organisation)
    await user.expect("Шаг 5 из 5")
    await user.send(formation)
    await user.expect("Нашлось")
    await user.press(formation)
    await user.expect("Выберите ваш")
    await user.press("Округ №1")
    await user.expect("Карточка кандидата")
    await user.press("подтвердить")
    await user.expect("Вы зарегистрированы")


async def test_lists_filters_pages_and_cards(running: RunningBot) -> None:
    people = [running.user() for _ in range(12)]
    for index, user in enumerate(people):
        organisation = "Гражданская инициатива" if index < 2 else "Союз соседей"
        await enrol(user, f"Кандидатова Ольга{'а' * index}", organisation, "Гавань")
    admin = running.admin()
    await admin.send("/candidates")
    listing = await admin.expect("Кандидаты: 12")
    assert "стр. 1 из 2" in listing["text"]
    await admin.press("▶️")
    second = await admin.next_message()
    assert "стр. 2 из 2" in second["text"]
    await admin.send("/candidates org:civic")
    await admin.expect("Кандидаты: 2")
    await admin.send("/candidates nonsense")
    await admin.expect("Фильтры:")
    await admin.send(f"/candidate {people[0].phone}")
    card = await admin.expect("Телефон: " + people[0].phone)
    assert "Этап 1 из 9" in card["text"] and "Гражданская инициатива" in card["text"]
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(people[0].user_id)
        assert candidate is not None
        viewed = [e.action for e in await uow.audit.for_subject("candidate", candidate.id)]
    assert "candidate_viewed" in viewed
    await admin.send("/candidate @someone")
    await admin.expect("Имена пользователей Telegram Штаб не хранит")
    await admin.press("Написать кандидату")
    await admin.expect("Напишите сообщение")
    await admin.send("Позвоните мне <завтра> & не забудьте паспорт")
    await admin.expect("Отправлено")
    got = await people[0].expect("Сообщение от координатора")
    assert "Позвоните мне <завтра> & не забудьте паспорт" in got["text"]


async def test_a_coordinator_sees_only_their_scope(running: RunningBot) -> None:
    ours, theirs = running.user(), running.user()
    await enrol(ours, "Своя Анна", "Союз соседей", "Гавань")
    await enrol(theirs, "Чужая Вера", "Гражданская инициатива", "Парнас")
    coordinator = await running.coordinator("org:neighbours")
    await coordinator.send("/candidates")
    listing = await coordinator.expect("Кандидаты: 1")
    assert "Своя Анна" in listing["text"] and "Чужая" not in listing["text"]
    await coordinator.send("/candidate Чужая")
    await coordinator.expect("Такого кандидата нет")
    async with running.app.uow_factory() as uow:
        other = await uow.candidates.by_user(theirs.user_id)
    assert other is not None
    await coordinator.press_data(DirectoryCb(action="card", n=other.id).pack())
    await coordinator.expect_answer("Такого кандидата нет")
    await coordinator.press_data(DirectoryCb(action="write", n=other.id).pack())
    await coordinator.expect_answer("Такого кандидата нет")


async def test_candidates_cannot_use_the_directory(running: RunningBot) -> None:
    user = running.user()
    await enrol(user, "Простая Кандидат", "Союз соседей", "Гавань")
    await user.send("/candidates")
    await user.expect("Не знаю такой команды")
