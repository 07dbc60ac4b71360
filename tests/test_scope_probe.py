"""A candidate and a coordinator try to read a candidate outside their scope through every
command there is (with the victim's id, name and phone as arguments) and every kind of
callback button, forged with the victim's ids. Zero successes: nothing the bot sends them —
messages, edits, alerts, files — holds the victim's name, phone or question. The same probe
by an admin, whose scope covers the victim, finds them: the probe reaches the data."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.db.models import Candidate, Question, TaskProgress, TaskStatus
from bot.handlers.broadcast import BroadcastCb
from bot.handlers.questions import QuestionCb
from bot.handlers.review import ReviewCb
from bot.telegram import callbacks, commands
from bot.telegram.emulator import BotAction
from tests.conftest import PIN, RunningBot
from tests.fake_telegram import VirtualUser
from tests.test_directory import enrol

VICTIM_NAME = "Тайнова Вера"
QUESTION = "Где подать документы? XYZ-секрет"
PASSPORT = "PASSPORT-4455-667788"
GATED = {"export", "grant_coordinator", "revoke_coordinator", "pin_reset"}


class Listener:
    """Everything the bot sends one user: texts, captions, alerts and file contents."""

    def __init__(self, running: RunningBot, user: VirtualUser) -> None:
        self.running = running
        self.user = user
        self.seen: list[str] = []
        running.emulator.subscribe(self._on_action)

    def _on_action(self, action: BotAction) -> None:
        if action.chat_id != self.user.user_id:
            return
        self.seen.append(json.dumps(action.message or action.params, ensure_ascii=False))
        document = (action.message or {}).get("document")
        if document:
            stored = self.running.emulator.file_by_id(document["file_id"])
            self.seen.append(stored.data.decode("utf-8", "replace") if stored else "")

    def leaks(self, secrets: list[str]) -> list[str]:
        return [secret for secret in secrets for text in self.seen if secret in text]


async def settle(user: VirtualUser) -> None:
    """Updates of one user are handled in order: once /help is answered, so is the probe."""
    await user.send("/help")
    await user.expect("/privacy")


async def probe(running: RunningBot, user: VirtualUser, victim: dict[str, str]) -> None:
    names = commands.PUBLIC + commands.COORDINATOR + commands.ADMIN
    # A part of the name and the phone written differently: the bot may echo what was
    # typed, but it must not complete it into the victim's name or number.
    digits = victim["phone"][2:]
    phone = f"8 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}"
    arguments = ["", victim["candidate_id"], victim["user_id"], "Тайн", phone]
    for name in names:
        if name in ("forget_me", "wipe", "wipe_confirm"):
            continue  # acting on oneself / on the keys, not reading anyone: tested elsewhere
        # Public commands act on the caller's own data: fewer arguments are enough there.
        for argument in arguments[:3] if name in commands.PUBLIC else arguments:
            await user.send(f"/{name} {argument}".strip())
            if name in GATED:
                await user.send(PIN)  # answers the PIN prompt, if the command got that far
            await user.send("/cancel")  # out of any dialog the command opened
            await settle(user)
    for data in forged_callbacks(victim):
        await user.send("/help")
        await user.expect("/privacy")
        await user.press_data(data, user.transcript[-1]["message_id"])
        await settle(user)


def forged_callbacks(victim: dict[str, str]) -> list[str]:
    candidate_id, question_id = int(victim["candidate_id"]), int(victim["question_id"])
    progress = int(victim["progress_id"])
    forged = [
        callbacks.DirectoryCb(action=action, n=candidate_id).pack()
        for action in ("card", "write", "page")
    ]
    forged += [QuestionCb(action=action, id=question_id).pack() for action in ("answer", "faq")]
    forged += [
        ReviewCb(action=action, kind=kind, id=progress).pack()
        for action in ("open", "ok", "back")
        for kind in ("task", "docs")
    ]
    forged += [
        BroadcastCb(action=action, value=value).pack()
        for action in ("seg", "pick", "ok", "no")
        for value in (victim["candidate_id"], "1")
    ]
    forged += [
        callbacks.QuestCb(action=action, task="", n=candidate_id).pack()
        for action in ("stage", "task", "appr")
    ]
    forged += [
        callbacks.MenuCb(action="quest").pack(),
        callbacks.EditCb(field="phone").pack(),
        callbacks.ConfirmCb().pack(),
        callbacks.OrganisationCb(id=1).pack(),
        callbacks.DistrictCb(id=1).pack(),
        callbacks.SettingsCb(action="mute", value="deadline").pack(),
    ]
    return forged


async def make_victim(running: RunningBot) -> dict[str, str]:
    victim = running.user(first_name="Вера")
    await enrol(victim, VICTIM_NAME, "Гражданская инициатива", "Парнас")
    await victim.send("/ask")
    await victim.expect("вопрос")
    await victim.send(QUESTION)
    await victim.expect("отправлен в штаб")
    async with running.app.uow_factory() as uow:
        candidate = await uow.session.scalar(
            select(Candidate).where(Candidate.user_id == victim.user_id)
        )
        assert candidate is not None
        question_id = await uow.session.scalar(select(Question.id))
        task_id = next(iter(running.app.dispatcher["quest_holder"].quest.tasks))
        row = TaskProgress(
            candidate_id=candidate.id,
            task_id=task_id,
            status=TaskStatus.WAITING,
            data_enc=running.app.cipher.encrypt(json.dumps({"fields": {"passport": PASSPORT}})),
        )
        uow.session.add(row)
        await uow.session.flush()
        return {
            "candidate_id": str(candidate.id),
            "user_id": str(victim.user_id),
            "phone": victim.phone,
            "question_id": str(question_id),
            "progress_id": str(row.id),
        }


async def test_nobody_reads_beyond_their_scope_through_any_command_or_button(
    running: RunningBot,
) -> None:
    running.expected_errors.update({"chat not found", "message is not modified"})
    victim = await make_victim(running)
    secrets = ["Тайнова", victim["phone"][2:], "XYZ-секрет", PASSPORT]

    candidate = running.user(first_name="Пётр")
    await enrol(candidate, "Соседов Пётр", "Союз соседей", "Гавань")
    coordinator = await running.coordinator("org:neighbours")
    await running.set_pin(coordinator)
    for attacker in (candidate, coordinator):
        listener = Listener(running, attacker)
        await probe(running, attacker, victim)
        assert listener.leaks(secrets) == [], attacker.format_transcript()
        assert len(listener.seen) > 100  # the probe did run

    # The control: an admin's scope covers the victim, and the same probe finds them.
    admin = running.admin()
    listener = Listener(running, admin)
    await admin.send(f"/candidate {victim['candidate_id']}")
    await admin.expect(VICTIM_NAME)
    assert listener.leaks([VICTIM_NAME]) != []
