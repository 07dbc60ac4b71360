"""A candidate, a canvass volunteer and a coordinator try to read a candidate outside their
scope through every command there is (with the victim's id, name and phone as arguments) and
every kind of callback button of every feature, forged with the victim's ids. The victim
owns data in each feature: a question, a quest answer and a nomination package with a
passport number, a fund donation with the donor's name, a canvass note with a resident's
phone, a supporter in their district, a leaflet. Zero successes: nothing the bot sends the
attackers — messages, edits, alerts, files — holds any of it. The same probe by an admin,
whose scope covers the victim, finds them: the probe reaches the data."""

from __future__ import annotations

import json
import re
from datetime import date

from sqlalchemy import select

from bot.db.models import Candidate, Question, TaskProgress, TaskStatus
from bot.db.models.addresses import Building
from bot.db.models.canvass import CanvassVisit, CanvassVolunteer
from bot.db.models.documents import NominationDocument, NominationPackage, PackageStatus
from bot.db.models.fund import DonorType, EntryKind, FundEntry
from bot.db.models.materials import Leaflet, LeafletTemplate
from bot.handlers import pin_gate
from bot.handlers.broadcast import BroadcastCb
from bot.handlers.canvass import VolConsentCb
from bot.handlers.canvass_office import OfficeCb
from bot.handlers.canvass_views import CvCb
from bot.handlers.documents import DocsCb
from bot.handlers.fund_views import DonorCb, FundCb
from bot.handlers.materials_views import MatCb
from bot.handlers.questions import QuestionCb
from bot.handlers.review import ReviewCb
from bot.handlers.supporters import SupCb
from bot.handlers.teams import TeamCb
from bot.services import supporters
from bot.services.materials import LeafletContent
from bot.telegram import callbacks, commands
from bot.telegram.emulator import BotAction
from tests.conftest import PIN, RunningBot
from tests.fake_telegram import VirtualUser
from tests.test_directory import enrol
from tests.test_supporters_bot import district_of

VICTIM_NAME = "Тайнова Вера"
QUESTION = "Где подать документы? XYZ-секрет"
PASSPORT = "PASSPORT-4455-667788"
PACKAGE_PASSPORT = "4011 556677-ПАКЕТ"
DONOR = "Донорова Зинаида"
RESIDENT = "Жильцова Руфина"
RESIDENT_PHONE = "+79997776655"
SUPPORTER = "Сторонникова Фаина"
SUPPORTER_PHONE = "+79213334455"
LEAFLET = "ЛИСТОВКА-СЕКРЕТ о дворе"
# Commands that ask for the PIN (for staff; /supporters lists without it for candidates).
GATED = set(pin_gate.GATED) | {"supporters"}


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
        # On the bot's last message: the probe's answer to /help.
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
        ReviewCb(action=action, kind=kind, id=item).pack()
        for action in ("open", "ok", "back")
        for kind, item in (("task", progress), ("docs", int(victim["package_id"])))
    ]
    forged += feature_callbacks(victim)
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


def feature_callbacks(victim: dict[str, str]) -> list[str]:
    """Every action of every feature's buttons, with the victim's ids where they take one."""
    package, version = int(victim["package_id"]), 1
    entry, visit = int(victim["entry_id"]), int(victim["visit_id"])
    volunteer, supporter = int(victim["volunteer_id"]), int(victim["supporter_id"])
    leaflet = int(victim["leaflet_id"])
    docs = ("menu", "go", "list", "edit", "ch", "skip", "use", "get", "submit", "hist", "ver")
    forged = [DocsCb(action=a, field="passport", n=version).pack() for a in docs]
    forged += [DocsCb(action="ver", n=package).pack()]
    fund = (
        "setup", "skip", "save", "redo", "share", "don", "spend", "import", "returns", "entry",
        "ret", "clear", "pdf", "xlsx", "dtype", "dstat", "today", "menu",
    )  # fmt: skip
    forged += [FundCb(action=a, n=entry).pack() for a in fund]
    forged += [DonorCb(step=step, n=entry, yes=True).pack() for step in ("q", "data", "nodata")]
    door = (
        "new", "b", "lb", "nb", "noapt", "ob", "nx", "o", "t", "fu", "ct", "cy", "bk", "nt",
        "sv", "ok", "x", "ed",
    )  # fmt: skip
    forged += [CvCb(a=a, id=visit, v="1").pack() for a in door]
    office = ("fus", "fd", "gl", "fl", "vol", "ni", "exx", "exc", "up", "er")
    forged += [OfficeCb(a=a, id=visit).pack() for a in office]
    forged += [
        OfficeCb(a="rv", id=volunteer).pack(),
        OfficeCb(a="exg", v="csv.plain").pack(),
        VolConsentCb(agree=True, lang="ru").pack(),
    ]
    sup = (
        "page", "upage", "same", "diff", "own", "toggle", "done", "join", "org", "col",
        "field", "check", "go", "cancel",
    )  # fmt: skip
    forged += [SupCb(action=a, arg=supporter).pack() for a in sup]
    materials = (
        "menu", "new", "tpl", "open", "kids", "others", "edit", "imprint", "impall", "make",
        "vers", "file", "run", "runs", "tick", "res", "radd", "redit", "rfield", "rdel",
    )  # fmt: skip
    forged += [MatCb(action=a, id=leaflet, arg="bio").pack() for a in materials]
    team = ("teams", "team", "join", "join_contact", "contact_off", "contact_on", "leave")
    forged += [TeamCb(action=a).pack() for a in team]
    return forged


async def give_victim_feature_data(
    running: RunningBot, victim: VirtualUser, candidate_id: int
) -> dict[str, str]:
    """The victim's data in each feature, written as the features store it (encrypted)."""
    cipher = running.app.cipher
    district_id = await district_of(running, "Парнас", "Тайная улица")
    async with running.app.uow_factory() as uow:
        package = NominationPackage(
            candidate_id=candidate_id, status=PackageStatus.SUBMITTED, version=1,
            submitted_version=1,
        )  # fmt: skip
        pdf = f"%PDF-1.4 паспорт {PACKAGE_PASSPORT}".encode()
        document = NominationDocument(
            candidate_id=candidate_id, version=1, kind="statement", sha256="0" * 64,
            size=len(pdf), content_enc=cipher.encrypt_bytes(pdf),
        )  # fmt: skip
        entry = FundEntry(
            candidate_id=candidate_id, kind=EntryKind.DONATION, amount_kop=500_000,
            booked_on=date(2026, 6, 1), donor_type=DonorType.CITIZEN,
            donor_name_enc=cipher.encrypt(DONOR), note_enc=cipher.encrypt(f"от {DONOR}"),
        )  # fmt: skip
        building = await uow.session.scalar(
            select(Building).where(Building.district_id == district_id)
        )
        assert building is not None
        volunteer = CanvassVolunteer(
            candidate_id=candidate_id, user_id=victim.user_id, is_candidate=True
        )
        leaflet = Leaflet(
            candidate_id=candidate_id, template=LeafletTemplate.A5,
            content_enc=cipher.encrypt(LeafletContent(bio=LEAFLET).to_json()),
        )  # fmt: skip
        uow.session.add_all([package, document, entry, volunteer, leaflet])
        await uow.session.flush()
        visit = CanvassVisit(
            candidate_id=candidate_id, volunteer_id=volunteer.id, building_id=building.id,
            apartment="7", outcome="supporter", follow_up=True,
            contact_name_enc=cipher.encrypt(RESIDENT),
            contact_phone_enc=cipher.encrypt(RESIDENT_PHONE),
            note_enc=cipher.encrypt(f"позвонить {RESIDENT_PHONE}"),
        )  # fmt: skip
        uow.session.add(visit)
        supporter = await supporters.add_supporter(
            uow, cipher, name=SUPPORTER, phone=SUPPORTER_PHONE, district_id=district_id,
            consents={"contact": True, "news": True}, source="canvass:probe",
        )  # fmt: skip
        await uow.session.flush()
        return {
            "package_id": str(package.id),
            "entry_id": str(entry.id),
            "volunteer_id": str(volunteer.id),
            "visit_id": str(visit.id),
            "supporter_id": str(supporter.id),
            "leaflet_id": str(leaflet.id),
        }


async def join_as_volunteer(running: RunningBot, candidate: VirtualUser) -> VirtualUser:
    """A canvass volunteer of the attacking candidate, joined by the candidate's invite."""
    await candidate.send("/canvass")
    await candidate.expect("Обход округа")
    await candidate.press("Волонтёры и ссылка")
    token = re.search(r"start=vol-([A-Za-z0-9_-]+)", (await candidate.expect("vol-"))["text"])
    assert token is not None
    volunteer = running.user(first_name="Волонтёр")
    await volunteer.send(f"/start vol-{token.group(1)}")
    await volunteer.expect("Вас приглашают в команду обхода")
    await volunteer.press("Согласен")
    await volunteer.expect("Как вас подписывать")
    await volunteer.send("Лис")
    await volunteer.expect("Вы в команде кандидата")
    return volunteer


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
        ids = {
            "candidate_id": str(candidate.id),
            "user_id": str(victim.user_id),
            "phone": victim.phone,
            "question_id": str(question_id),
            "progress_id": str(row.id),
        }
    return ids | await give_victim_feature_data(running, victim, candidate.id)


async def test_nobody_reads_beyond_their_scope_through_any_command_or_button(
    running: RunningBot,
) -> None:
    running.expected_errors.update({"chat not found", "message is not modified"})
    victim = await make_victim(running)
    secrets = [
        "Тайнова", victim["phone"][2:], "XYZ-секрет", PASSPORT, PACKAGE_PASSPORT, DONOR,
        "Зинаида", RESIDENT, RESIDENT_PHONE[2:], SUPPORTER, SUPPORTER_PHONE[2:], LEAFLET,
    ]  # fmt: skip

    candidate = running.user(first_name="Пётр")
    await enrol(candidate, "Соседов Пётр", "Союз соседей", "Гавань")
    await running.set_pin(candidate)  # candidates may set a PIN: their gates open too
    volunteer = await join_as_volunteer(running, candidate)
    coordinator = await running.coordinator("org:neighbours")
    await running.set_pin(coordinator)
    for attacker in (candidate, volunteer, coordinator):
        listener = Listener(running, attacker)
        await probe(running, attacker, victim)
        assert listener.leaks(secrets) == [], attacker.format_transcript()
        assert len(listener.seen) > 300  # the probe did run

    # The controls. The victim pressing the same forged buttons reads their own data in the
    # features: the buttons do reach it.
    owner = VirtualUser(running.emulator, int(victim["user_id"]), first_name="Вера")
    listener = Listener(running, owner)
    await settle(owner)
    for data in feature_callbacks(victim):
        await owner.press_data(data, owner.transcript[-1]["message_id"])
        await settle(owner)
    reached = {PACKAGE_PASSPORT, DONOR, RESIDENT_PHONE[2:], SUPPORTER, LEAFLET}
    assert reached <= set(listener.leaks(secrets))
    # An admin's scope covers the victim, and the same probe finds them.
    admin = running.admin()
    listener = Listener(running, admin)
    await admin.send(f"/candidate {victim['candidate_id']}")
    await admin.expect(VICTIM_NAME)
    await running.gated(admin, "/export_supporters plain")
    await admin.expect("Сторонников")
    assert listener.leaks([VICTIM_NAME]) != []
    assert listener.leaks([SUPPORTER, SUPPORTER_PHONE[2:]]) != []
