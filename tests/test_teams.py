"""District teams (/team) through the fake Telegram: candidates of one district see each other
only after joining, the contact only with consent, nobody of another district ever; forged
buttons act on nobody else; leaving and /forget_me withdraw the consent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.db.models import AuditEntry
from bot.db.models.console import TeamMember
from bot.services import privacy, registration
from tests.conftest import RunningBot
from tests.fake_telegram import VirtualUser

INTRO = "Кандидаты коалиции из вашего округа"


async def enrol(
    running: RunningBot,
    user: VirtualUser,
    name: str,
    organisation: str = "civic",
    formation: str = "Гавань",
    number: int = 2,
) -> None:
    """A registered candidate through the registration service (the dialog is tested in
    test_registration); the person wrote to the bot first, so Telegram has a chat."""
    await user.send("/help")
    await user.expect("Команды")
    cipher = running.app.cipher
    async with running.app.uow_factory() as uow:
        await registration.give_consent(uow, user.user_id, "ru")
        await registration.set_full_name(uow, user.user_id, name, cipher)
        await registration.set_phone(uow, cipher, user.user_id, user.phone, user.user_id)
        await registration.set_email(uow, cipher, user.user_id, None)
        found = await uow.geography.organisation_by_code(organisation)
        election = await uow.geography.current_election()
        assert found is not None and election is not None
        district = await uow.geography.formation_by_name(election.id, formation)
        assert district is not None
        await registration.set_organisation(uow, user.user_id, found.id)
        await registration.set_district(
            uow, user.user_id, next(d.id for d in district.districts if d.number == number)
        )
        await registration.confirm(uow, user.user_id)


def links(message: dict[str, Any]) -> list[str]:
    return [e["url"] for e in message.get("entities", []) if e["type"] == "text_link"]


async def test_a_district_team_forms_with_consent(running: RunningBot) -> None:
    anna, vera, olga, pavel = (running.user() for _ in range(4))
    await enrol(running, anna, "Анна Соседова", "neighbours")
    await enrol(running, vera, "Вера Гражданкина", "civic")
    await enrol(running, olga, "Ольга Молчанова", "civic")  # same district, never joins
    await enrol(running, pavel, "Павел Парнасов", "city", "Парнас", 1)  # another district

    # Before joining: an explanation and the two ways to join, nobody's name.
    await anna.send("/team")
    intro = await anna.expect(INTRO)
    assert "Гавань, округ №2" in intro["text"]
    assert anna.inline_buttons == [
        "🤝 Вступить (имя и организация)",
        "🤝 Вступить и показать контакт в Telegram",
    ]
    await anna.press("Вступить (имя и организация)")
    alone = await anna.expect("Кроме вас, в команде пока никого")
    assert alone["message_id"] == intro["message_id"]  # the same message, edited
    assert "Контакт в Telegram скрыт" in alone["text"]

    # Vera joins sharing her contact: she sees Anna (no contact), Anna hears about Vera.
    await vera.send("/team")
    await vera.expect(INTRO)
    await vera.press("Вступить и показать контакт")
    team = await vera.expect("С вами в команде 1 кандидат")
    assert "• Анна Соседова — Союз соседей · контакт скрыт" in team["text"]
    assert links(team) == []
    notice = await anna.expect("вступил(а) Вера Гражданкина (Гражданская инициатива)")
    assert "/team" in notice["text"]
    await anna.send("/team")
    seen = await anna.expect("С вами в команде 1 кандидат")
    assert "• Вера Гражданкина — Гражданская инициатива · написать" in seen["text"]
    assert links(seen) == [f"tg://user?id={vera.user_id}"]

    # Pavel of Парнас №1 joins his own district's team: he sees nobody of Гавань, and
    # Гавань's team never sees him; Olga, who has not joined, sees nobody at all.
    await pavel.send("/team")
    await pavel.expect(INTRO)
    await pavel.press("Вступить и показать контакт")
    lonely = await pavel.expect("Кроме вас, в команде пока никого")
    assert "Парнас, округ №1" in lonely["text"] and "Анна" not in lonely["text"]
    await anna.send("/team")
    again = await anna.expect("С вами в команде 1 кандидат")
    assert "Павел" not in again["text"] and str(pavel.user_id) not in str(links(again))
    await olga.send("/team")
    outsider = await olga.expect(INTRO)
    assert "Анна" not in outsider["text"] and "Вера" not in outsider["text"]
    await anna.quiet(0.1)  # Pavel's joining told nobody in Гавань

    # Vera hides her contact: the link disappears for Anna.
    await vera.send("/team")
    await vera.expect("С вами в команде")
    await vera.press("Скрыть мой контакт")
    await vera.expect("Контакт в Telegram скрыт")
    await anna.send("/team")
    hidden = await anna.expect("С вами в команде 1 кандидат")
    assert "Вера Гражданкина — Гражданская инициатива · контакт скрыт" in hidden["text"]
    assert links(hidden) == []

    # Anna leaves: Vera is alone again, and Anna is back at the explanation.
    await anna.press("Выйти из команды")
    await anna.expect_answer("Вы вышли из команды")
    await anna.expect(INTRO)
    await vera.send("/team")
    await vera.expect("Кроме вас, в команде пока никого")

    async with running.app.session_factory() as session:
        actions = list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.startswith("team_"))
            )
        )
    assert actions.count("team_joined") == 3 and actions.count("team_left") == 1
    assert "team_contact_changed" in actions and "team_viewed" in actions


async def test_forged_buttons_and_outsiders_are_refused(running: RunningBot) -> None:
    member, bystander = running.user(), running.user()
    await enrol(running, member, "Анна Соседова", "neighbours")
    await enrol(running, bystander, "Вера Гражданкина")
    await member.send("/team")
    await member.expect(INTRO)
    await member.press("Вступить (имя и организация)")
    await member.expect("Кроме вас")

    # Not a member: showing a contact is refused, nothing is stored for them.
    await bystander.send("/team")
    await bystander.expect(INTRO)
    await bystander.press_data("team:contact_on")
    await bystander.expect_answer("Сначала вступите")
    await bystander.press_data("team:selfdestruct")
    await bystander.expect_answer("устарела")

    # Someone who never registered, and a coordinator: no team, whatever the button says.
    stranger = running.user()
    await stranger.send("/team")
    await stranger.expect("для зарегистрированных кандидатов")
    await stranger.press_data("team:join", 1)
    await stranger.expect_answer("для зарегистрированных кандидатов")
    coordinator = await running.coordinator("org:civic")
    await coordinator.send("/team")
    await coordinator.expect("для зарегистрированных кандидатов")

    async with running.app.session_factory() as session:
        rows = list(await session.scalars(select(TeamMember)))
    assert len(rows) == 1 and rows[0].share_contact is False


async def test_privacy_lists_the_team_and_forget_me_withdraws_it(running: RunningBot) -> None:
    user = running.user()
    await enrol(running, user, "Анна Соседова", "neighbours")
    await user.send("/team")
    await user.expect(INTRO)
    await user.press("Вступить и показать контакт")
    await user.expect("Кроме вас")
    await user.send("/privacy")
    report = await user.expect("Что хранится о вас")
    assert "видят ваше имя, организацию и контакт в Telegram (/team)" in report["text"]
    async with running.app.uow_factory() as uow:
        await privacy.forget(uow, running.app.cipher, user.user_id)
    async with running.app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(TeamMember)) == 0


async def test_moving_to_another_district_leaves_the_old_team(running: RunningBot) -> None:
    anna, vera = running.user(), running.user()
    await enrol(running, anna, "Анна Соседова", "neighbours")
    await enrol(running, vera, "Вера Гражданкина", "civic")
    for user in (anna, vera):
        await user.send("/team")
        await user.expect(INTRO)
        await user.press("Вступить и показать контакт")
    await anna.expect("вступил(а) Вера Гражданкина")
    # Vera changes her district (the registration card's edit): her consent was for Гавань №2.
    async with running.app.uow_factory() as uow:
        election = await uow.geography.current_election()
        assert election is not None
        parnas = await uow.geography.formation_by_name(election.id, "Парнас")
        assert parnas is not None
        await registration.set_district(uow, vera.user_id, parnas.districts[0].id)
    await anna.send("/team")
    await anna.expect("Кроме вас, в команде пока никого")
    await vera.send("/team")
    moved = await vera.expect(INTRO)
    assert "Парнас, округ №1" in moved["text"] and "Анна" not in moved["text"]
    await vera.send("/privacy")
    report = await vera.expect("Что хранится о вас")
    assert "Команда округа" not in report["text"]
