"""The quest's rules (bot.services.quest) on a small test quest (tests/quests/engine): what is
locked, open, closed or done on a given day, and every step a candidate or a coordinator takes,
through a real UnitOfWork on a copy of the migrated SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

import bot.services.quest as quest_service
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Election, TaskProgress, TaskStatus
from bot.db.uow import UnitOfWorkFactory
from bot.quests.loader import Quest, QuestError, load_quest
from bot.services.clock import FrozenClock, reset_clock, set_clock
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.quest import (
    Progress,
    QuestService,
    QuestStore,
    QuestView,
    TaskState,
    evaluate,
)
from bot.services.registration import give_consent
from tests.conftest import DATA_KEY

QUEST_DIR = Path(__file__).parent / "quests" / "engine"
QUEST = load_quest(QUEST_DIR)
CODE = "quest-test"
ELECTION_DAY = date(2026, 9, 20)
CALENDAR = {"nomination_opens": "2026-06-21", "nomination_closes": "2026-07-11"}
BEFORE = date(2026, 6, 1)  # nomination not open yet
DURING = date(2026, 6, 25)  # nomination open
AFTER = date(2026, 7, 12)  # the day after nomination closed
NOW = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
USER_ID = 555001
BASICS = ("basics.intro", "basics.tick", "basics.form")
MB = 1024 * 1024


def election(calendar: dict[str, str] | None = None) -> Election:
    return Election(
        code=CODE,
        name="Test election",
        election_day=ELECTION_DAY,
        calendar=dict(CALENDAR if calendar is None else calendar),
    )


def done(*full_ids: str) -> dict[str, Progress]:
    return {full_id: Progress(TaskStatus.DONE, {}) for full_id in full_ids}


def view_of(
    progress: dict[str, Progress] | None = None,
    today: date = BEFORE,
    locale: str = "en",
    calendar: dict[str, str] | None = None,
    targets: dict[str, int | None] | None = None,
) -> QuestView:
    return evaluate(QUEST, election(calendar), progress or {}, today, 0, locale, targets)


def state(view: QuestView, full_id: str) -> TaskState:
    task = view.task(full_id)
    assert task is not None, full_id
    return task.state


@pytest.fixture(autouse=True)
def clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock(NOW)
    set_clock(frozen)
    yield frozen
    reset_clock()


# --- evaluate() ------------------------------------------------------------------------------


def test_test_quest_covers_every_task_kind() -> None:
    kinds = {item.task.kind for item in QUEST.tasks.values()}
    assert kinds == {"read", "checklist", "questionnaire", "upload", "counter", "approval",
                     "action"}  # fmt: skip
    assert [s.id for s in QUEST.stages] == ["basics", "campaign", "field"]


def test_a_new_candidate_sees_what_is_open_and_why_the_rest_is_locked() -> None:
    view = view_of()
    assert state(view, "basics.intro") is TaskState.OPEN
    assert state(view, "basics.form") is TaskState.OPEN
    tick = view.task("basics.tick")
    assert tick is not None and tick.state is TaskState.LOCKED and tick.lock is not None
    assert (tick.lock.reason, tick.lock.params) == ("quest-locked-after", {"what": "Introduction"})
    # A prerequisite in another stage, named by its title in the candidate's language.
    doors = view_of(locale="ru").task("field.doors")
    assert doors is not None and doors.lock is not None
    assert (doors.lock.reason, doors.lock.params) == ("quest-locked-after", {"what": "Анкета"})
    # The stage-level `after`: the whole stage is locked, each task carries the stage's lock.
    campaign = view.stages[1]
    assert campaign.lock is not None
    assert (campaign.lock.reason, campaign.lock.params) == (
        "quest-locked-after",
        {"what": "Basics"},
    )
    assert all(t.state is TaskState.LOCKED and t.lock == campaign.lock for t in campaign.tasks)
    assert view.current.stage_id == "basics"
    assert view.open_ids == {"basics.intro", "basics.form", "field.sigs", "field.fund"}


def test_a_prerequisite_done_opens_its_dependants() -> None:
    view = view_of(done("basics.intro", "basics.form"))
    assert state(view, "basics.tick") is TaskState.OPEN
    assert state(view, "field.doors") is TaskState.OPEN
    assert state(view, "campaign.apply") is TaskState.LOCKED  # the stage is not finished yet
    view = view_of(done(*BASICS))
    assert view.stages[0].finished and view.stages[1].lock is None
    assert state(view, "campaign.apply") is TaskState.OPEN
    assert state(view, "campaign.nominate") is TaskState.LOCKED  # after apply
    assert view.current.stage_id == "campaign"


def test_a_window_locks_until_it_opens_and_closes_an_undone_task_after() -> None:
    progress = done(*BASICS)
    before = view_of(progress, BEFORE).task("campaign.nominations")
    assert before is not None and before.lock is not None
    assert before.state is TaskState.LOCKED
    assert before.lock.reason == "quest-locked-window"
    assert before.lock.params == {"date": "21.06.2026"}
    assert before.lock.opens_on == date(2026, 6, 21)
    assert state(view_of(progress, date(2026, 6, 20)), "campaign.nominations") is TaskState.LOCKED
    # Both bounds are inclusive.
    assert state(view_of(progress, date(2026, 6, 21)), "campaign.nominations") is TaskState.OPEN
    assert state(view_of(progress, date(2026, 7, 11)), "campaign.nominations") is TaskState.OPEN
    after = view_of(progress, AFTER).task("campaign.nominations")
    assert after is not None and after.state is TaskState.CLOSED and after.lock is None
    assert not after.actionable
    # Done in time, it stays done after the window.
    assert state(view_of(done(*BASICS, "campaign.nominations"), AFTER),
                 "campaign.nominations") is TaskState.DONE  # fmt: skip


def test_a_stage_counts_closed_tasks_as_finished() -> None:
    others = ("campaign.apply", "campaign.nominate", "campaign.secret", "campaign.paperwork")
    during = view_of(done(*BASICS, *others), DURING)
    assert not during.stages[1].finished
    view = view_of(done(*BASICS, *others), AFTER)
    stage = view.stages[1]
    assert state(view, "campaign.nominations") is TaskState.CLOSED
    assert stage.finished and (stage.done, stage.total) == (4, 5)
    assert view.current.stage_id == "field"


def test_a_window_on_an_unknown_date_says_so() -> None:
    view = view_of()
    campaigning = view.task("field.campaigning")
    assert campaigning is not None and campaigning.lock is not None
    assert campaigning.lock.reason == "quest-locked-date-unknown"
    assert campaigning.lock.opens_on is None
    # Once the commission announces the date, the lock shows it.
    known = view_of(calendar={**CALENDAR, "campaign_opens": "2026-07-01"}).task(
        "field.campaigning"
    )
    assert known is not None and known.lock is not None
    assert (known.lock.reason, known.lock.params) == (
        "quest-locked-window",
        {"date": "01.07.2026"},
    )
    opened = view_of(calendar={**CALENDAR, "campaign_opens": "2026-05-01"})
    assert state(opened, "field.campaigning") is TaskState.OPEN
    # Without an election at all, nothing can be dated.
    no_election = evaluate(QUEST, None, {}, BEFORE, 0, "en").task("field.campaigning")
    assert no_election is not None and no_election.lock is not None
    assert no_election.lock.reason == "quest-locked-date-unknown"


def test_an_approval_unlocked_task_waits_for_a_coordinator() -> None:
    secret = view_of(done(*BASICS)).task("campaign.secret")
    assert secret is not None and secret.lock is not None
    assert secret.state is TaskState.LOCKED and secret.lock.reason == "quest-locked-approval"
    opened = {**done(*BASICS), "campaign.secret": Progress(TaskStatus.STARTED, {})}
    assert state(view_of(opened), "campaign.secret") is TaskState.STARTED


@pytest.mark.parametrize(
    ("today", "days_left"),
    [(BEFORE, 39), (date(2026, 7, 9), 1), (date(2026, 7, 10), 0), (AFTER, -2)],
)
def test_days_left_count_down_to_the_deadline(today: date, days_left: int) -> None:
    apply = view_of(done(*BASICS), today).task("campaign.apply")
    assert apply is not None
    assert apply.deadline == date(2026, 7, 10)  # nomination_closes - 1
    assert apply.days_left == days_left


def test_no_deadline_without_an_election() -> None:
    apply = evaluate(QUEST, None, done(*BASICS), BEFORE, 0, "en").task("campaign.apply")
    assert apply is not None and apply.deadline is None and apply.days_left is None


def test_progress_counts_of_checklists_questionnaires_and_counters() -> None:
    progress = {
        "basics.tick": Progress(TaskStatus.STARTED, {"ticked": ["a", "c", "gone"]}),
        "basics.form": Progress(TaskStatus.STARTED, {"answers": {"passport": "x"}}),
        "field.sigs": Progress(TaskStatus.STARTED, {"count": 7}),
    }
    view = view_of({**progress, **done("basics.intro")}, targets={"signatures_required": 42})
    assert [view.task(t).progress for t in ("basics.tick", "basics.form", "field.sigs")] == [  # type: ignore[union-attr]
        (2, 3),
        (1, 3),
        (7, 42),
    ]
    no_target = view_of(progress).task("field.sigs")
    assert no_target is not None and no_target.progress == (7, 0)


# --- steps through a real database -----------------------------------------------------------


@dataclass
class Snapshot:
    points: int
    last_progress_at: datetime | None
    rows: dict[str, TaskStatus]


@dataclass
class Env:
    factory: UnitOfWorkFactory
    cipher: FieldCipher

    @asynccontextmanager
    async def service(
        self,
        today: date = BEFORE,
        targets: dict[str, int | None] | None = None,
        quest: Quest = QUEST,
    ) -> AsyncIterator[QuestService]:
        """One update: a unit of work, committed at the end."""
        async with self.factory() as uow:
            candidate = await uow.candidates.by_user(USER_ID)
            assert candidate is not None
            current = await uow.geography.election_by_code(CODE)
            store = QuestStore(uow, self.cipher, candidate)
            yield QuestService(quest, store, current, today, "en", targets)

    async def snapshot(self) -> Snapshot:
        async with self.factory() as uow:
            candidate = await uow.candidates.by_user(USER_ID)
            assert candidate is not None
            rows = {row.task_id: row.status for row in await uow.quest.progress(candidate.id)}
            return Snapshot(candidate.quest_points, candidate.last_progress_at, rows)

    async def data_enc(self, full_id: str) -> str:
        async with self.factory() as uow:
            value = await uow.session.scalar(
                select(TaskProgress.data_enc).where(TaskProgress.task_id == full_id)
            )
            assert value is not None
            return value


@pytest.fixture
async def env(data_dir: Path) -> AsyncIterator[Env]:
    engine = create_engine(f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}")
    factory = UnitOfWorkFactory(create_session_factory(engine))
    async with factory() as uow:
        await uow.geography.add(election())
        await give_consent(uow, USER_ID, "en")
    yield Env(factory, FieldCipher([DATA_KEY]))
    await engine.dispose()


async def review(service: QuestService, full_id: str, approve: bool, comment: str | None) -> None:
    """A coordinator's decision: `QuestService.decide` (or the older module-level `review`)."""
    decide = getattr(service, "decide", None)
    if decide is not None:
        await decide(full_id, approve, comment)
    else:
        await quest_service.review(  # type: ignore[attr-defined]
            service.store, service.quest, full_id, approve, comment
        )


async def finish_basics(service: QuestService) -> None:
    await service.confirm_read("basics.intro")
    for item in ("a", "b", "c"):
        await service.toggle_item("basics.tick", item)
    await service.answer("basics.form", "passport", "4510 123456")
    await service.answer("basics.form", "city", "spb")
    await service.answer("basics.form", "note", None)


async def test_confirm_read_completes_and_awards_points(env: Env) -> None:
    async with env.service() as service:
        result = await service.confirm_read("basics.intro")
        assert result.completed and result.finished_stage is None
        assert result.opened == ("basics.tick",)
        assert state(result.view, "basics.intro") is TaskState.DONE
        assert result.view.points == 10
    after = await env.snapshot()
    assert after.points == 10
    assert after.last_progress_at is not None
    assert after.last_progress_at.replace(tzinfo=UTC) == NOW
    assert after.rows == {"basics.intro": TaskStatus.DONE}
    # Reading it again (a stale button) is refused, and awards nothing more.
    async with env.service() as service:
        with pytest.raises(InputError) as refused:
            await service.confirm_read("basics.intro")
    assert refused.value.code == "quest-already-done"
    assert (await env.snapshot()).points == 10


async def test_a_checklist_completes_only_when_every_item_is_ticked(env: Env) -> None:
    async with env.service() as service:
        await service.confirm_read("basics.intro")
        first = await service.toggle_item("basics.tick", "a")
        assert not first.completed and first.opened == ()
        second = await service.toggle_item("basics.tick", "b")
        tick = second.view.task("basics.tick")
        assert tick is not None and tick.state is TaskState.STARTED and tick.progress == (2, 3)
        untick = await service.toggle_item("basics.tick", "b")
        tick = untick.view.task("basics.tick")
        assert tick is not None and tick.state is TaskState.STARTED and tick.progress == (1, 3)
        with pytest.raises(InputError) as error:
            await service.toggle_item("basics.tick", "zzz")
        assert error.value.code == "quest-unknown-task"
        await service.toggle_item("basics.tick", "c")
    assert (await env.snapshot()).points == 10
    async with env.service() as service:  # a later update, from the stored progress
        last = await service.toggle_item("basics.tick", "b")
        assert last.completed
    snapshot = await env.snapshot()
    assert snapshot.points == 30 and snapshot.rows["basics.tick"] is TaskStatus.DONE


async def test_answers_are_stored_encrypted_and_complete_the_questionnaire(env: Env) -> None:
    async with env.service() as service:
        with pytest.raises(InputError) as error:
            await service.answer("basics.form", "passport", None)
        assert error.value.code == "quest-answer-required"
        with pytest.raises(InputError):
            await service.answer("basics.form", "no_such_field", "x")
        first = await service.answer("basics.form", "passport", "4510 123456")
        assert not first.completed and state(first.view, "basics.form") is TaskState.STARTED
        await service.answer("basics.form", "city", "spb")
    stored = await env.data_enc("basics.form")
    assert "4510" not in stored and "123456" not in stored and "spb" not in stored
    assert "4510 123456" in (env.cipher.decrypt(stored) or "")
    async with env.service() as service:
        last = await service.answer("basics.form", "note", None)  # optional: skipped
        assert last.completed
        assert last.opened == ("field.doors",)  # another stage's task waited for this one
        stored_progress = (await service.store.progress())["basics.form"]
        assert stored_progress.data["answers"] == {
            "passport": "4510 123456",
            "city": "spb",
            "note": None,
        }
    assert (await env.snapshot()).points == 15


async def test_upload_checks_the_file_and_waits_for_review(env: Env) -> None:
    async with env.service() as service:
        await finish_basics(service)
        with pytest.raises(InputError) as error:
            await service.upload("campaign.apply", "photo-1", "photo", 1000)
        assert error.value.code == "quest-upload-kind"
        with pytest.raises(InputError) as error:
            await service.upload("campaign.apply", "pdf-1", "pdf", MB + 1)
        assert (error.value.code, error.value.params) == ("quest-upload-too-big", {"limit": 1})
        result = await service.upload("campaign.apply", "pdf-1", "pdf", MB)
        assert not result.completed
        assert state(result.view, "campaign.apply") is TaskState.WAITING
        assert "campaign.nominate" not in result.view.open_ids
    before = await env.snapshot()
    assert before.points == 45 and before.rows["campaign.apply"] is TaskStatus.WAITING
    async with env.service() as service:
        await review(service, "campaign.apply", True, None)
        view = await service.view()
        assert state(view, "campaign.apply") is TaskState.DONE
        assert state(view, "campaign.nominate") is TaskState.OPEN
        with pytest.raises(InputError) as error:  # approved already
            await review(service, "campaign.apply", True, None)
        assert error.value.code == "quest-nothing-to-approve"
    assert (await env.snapshot()).points == 75


async def test_a_returned_task_shows_the_comment_and_can_be_sent_again(env: Env) -> None:
    async with env.service() as service:
        await finish_basics(service)
        with pytest.raises(InputError) as error:  # nothing submitted yet
            await review(service, "campaign.apply", False, "No")
        assert error.value.code == "quest-nothing-to-approve"
        await service.upload("campaign.apply", "pdf-1", "pdf", 100)
        await review(service, "campaign.apply", False, "The signature is missing")
    async with env.service() as service:
        apply = (await service.view()).task("campaign.apply")
        assert apply is not None and apply.state is TaskState.RETURNED and apply.actionable
        assert apply.comment == "The signature is missing"
        again = await service.upload("campaign.apply", "pdf-2", "pdf", 100)
        assert state(again.view, "campaign.apply") is TaskState.WAITING
        files = (await service.store.progress())["campaign.apply"].data["files"]
        assert [f["file_id"] for f in files] == ["pdf-1", "pdf-2"]  # type: ignore[index, union-attr]
    assert (await env.snapshot()).points == 45  # nothing for a returned task


async def test_counter_adds_sets_never_goes_below_zero_and_completes(env: Env) -> None:
    targets: dict[str, int | None] = {"signatures_required": 12}
    async with env.service(targets=targets) as service:
        result = await service.count("field.sigs", 5)
        sigs = result.view.task("field.sigs")
        assert sigs is not None and sigs.state is TaskState.STARTED and sigs.progress == (5, 12)
        with pytest.raises(InputError) as error:
            await service.count("field.sigs", -6)
        assert error.value.code == "quest-count-range"
        with pytest.raises(InputError):
            await service.count("field.sigs", -1, absolute=True)
        with pytest.raises(InputError):
            await service.count("field.sigs", 100_001)
        assert (await service.view()).task("field.sigs").progress == (5, 12)  # type: ignore[union-attr]
        result = await service.count("field.sigs", 0, absolute=True)
        assert result.view.task("field.sigs").progress == (0, 12)  # type: ignore[union-attr]
        result = await service.count("field.sigs", 3, absolute=True)
        assert result.view.task("field.sigs").progress == (3, 12)  # type: ignore[union-attr]
        result = await service.count("field.sigs", 8)
        assert not result.completed
    assert (await env.snapshot()).points == 0
    async with env.service(targets=targets) as service:
        result = await service.count("field.sigs", 1)
        assert result.completed and result.view.task("field.sigs").progress == (12, 12)  # type: ignore[union-attr]
    assert (await env.snapshot()).points == 40


async def test_fixed_target_counter_and_one_without_a_known_target(env: Env) -> None:
    async with env.service() as service:
        await finish_basics(service)
        assert not (await service.count("field.doors", 9)).completed
        assert (await service.count("field.doors", 10, absolute=True)).completed
        # No district or election numbers: the target is unknown, the count never completes.
        result = await service.count("field.sigs", 5000)
        assert not result.completed
        assert result.view.task("field.sigs").progress == (5000, 0)  # type: ignore[union-attr]
    snapshot = await env.snapshot()
    assert snapshot.rows["field.doors"] is TaskStatus.DONE
    assert snapshot.rows["field.sigs"] is TaskStatus.STARTED


async def test_request_approval_then_approve(env: Env) -> None:
    async with env.service() as service:
        await finish_basics(service)
        await service.upload("campaign.apply", "pdf-1", "pdf", 100)
        await review(service, "campaign.apply", True, None)
        result = await service.request_approval("campaign.nominate")
        assert not result.completed
        assert state(result.view, "campaign.nominate") is TaskState.WAITING
        with pytest.raises(InputError):  # not an approval task
            await service.request_approval("campaign.paperwork")
    assert (await env.snapshot()).points == 75
    async with env.service() as service:
        await review(service, "campaign.nominate", True, None)
        assert state(await service.view(), "campaign.nominate") is TaskState.DONE
    assert (await env.snapshot()).points == 125


async def test_a_coordinator_opens_an_approval_locked_task(env: Env) -> None:
    async with env.service() as service:
        await finish_basics(service)
        with pytest.raises(InputError) as error:
            await service.confirm_read("campaign.secret")
        assert error.value.code == "quest-locked-approval"
        # Only an approval-unlocked task can be opened without being submitted.
        with pytest.raises(InputError) as error:
            await review(service, "campaign.paperwork", True, None)
        assert error.value.code == "quest-nothing-to-approve"
        with pytest.raises(InputError) as error:
            await review(service, "nope.nope", True, None)
        assert error.value.code == "quest-unknown-task"
        await review(service, "campaign.secret", True, None)
    assert (await env.snapshot()).points == 45  # opening is not completing
    async with env.service() as service:
        assert state(await service.view(), "campaign.secret") is TaskState.STARTED
        assert (await service.confirm_read("campaign.secret")).completed
    assert (await env.snapshot()).points == 50


async def test_report_action_done_completes_the_open_action_task_only(env: Env) -> None:
    async with env.service() as service:
        assert await service.report_action_done("documents") == []  # campaign still locked
        await finish_basics(service)
        results = await service.report_action_done("documents")
        assert [r.completed for r in results] == [True]
        view = results[0].view
        assert state(view, "campaign.paperwork") is TaskState.DONE
        assert state(view, "field.late_docs") is TaskState.LOCKED  # same action, locked
        assert state(view, "field.fund") is TaskState.OPEN  # another action
        assert await service.report_action_done("documents") == []  # done already
    snapshot = await env.snapshot()
    assert snapshot.points == 45 + 25
    assert "field.late_docs" not in snapshot.rows and "field.fund" not in snapshot.rows


@pytest.mark.parametrize(
    ("full_id", "reason", "step"),
    [
        ("basics.tick", "quest-locked-after", ("toggle_item", "a")),
        ("campaign.apply", "quest-locked-after", ("upload", "f", "pdf", 100)),
        ("campaign.nominations", "quest-locked-after", ("confirm_read",)),
        ("campaign.nominate", "quest-locked-after", ("request_approval",)),
        ("field.doors", "quest-locked-after", ("count", 10)),
        ("field.campaigning", "quest-locked-date-unknown", ("confirm_read",)),
    ],
)
async def test_a_step_on_a_locked_task_is_refused_and_changes_nothing(
    env: Env, full_id: str, reason: str, step: tuple[object, ...]
) -> None:
    before = await env.snapshot()
    async with env.service() as service:
        method = getattr(service, str(step[0]))
        with pytest.raises(InputError) as error:
            await method(full_id, *step[1:])
    assert error.value.code == reason
    after = await env.snapshot()
    assert after == before
    assert after.rows == {} and after.points == 0 and after.last_progress_at is None


async def test_a_forged_step_carries_the_locks_parameters(env: Env) -> None:
    async with env.service() as service:
        with pytest.raises(InputError) as error:
            await service.answer("field.doors", "x", "1")  # wrong kind *and* locked
        assert (error.value.code, error.value.params) == ("quest-locked-after", {"what": "Form"})
        await finish_basics(service)
        with pytest.raises(InputError) as error:
            await service.confirm_read("campaign.nominations")
        assert error.value.code == "quest-locked-window"
        assert error.value.params == {"date": "21.06.2026"}
        with pytest.raises(InputError) as error:
            await service.confirm_read("basics.nope")
        assert error.value.code == "quest-unknown-task"
        with pytest.raises(InputError) as error:  # a read task is not a counter
            await service.count("basics.intro", 1)
        assert error.value.code == "quest-unknown-task"


async def test_a_step_on_a_closed_task_is_refused(env: Env) -> None:
    async with env.service() as service:
        await finish_basics(service)
    before = await env.snapshot()
    async with env.service(today=AFTER) as service:
        assert state(await service.view(), "campaign.nominations") is TaskState.CLOSED
        with pytest.raises(InputError) as error:
            await service.confirm_read("campaign.nominations")
        assert error.value.code == "quest-task-closed"
    assert await env.snapshot() == before


async def test_finishing_a_stage_reports_it_and_what_opened(env: Env) -> None:
    async with env.service(today=DURING) as service:
        await service.confirm_read("basics.intro")
        for item in ("a", "b", "c"):
            result = await service.toggle_item("basics.tick", item)
        assert result.completed and result.finished_stage is None
        await service.answer("basics.form", "passport", "4510 123456")
        await service.answer("basics.form", "city", "other")
        result = await service.answer("basics.form", "note", "Hello")
    assert result.completed
    assert result.finished_stage == "basics"
    assert result.opened == (
        "campaign.apply",
        "campaign.nominations",
        "campaign.paperwork",
        "field.doors",
    )
    assert result.view.current.stage_id == "campaign"
    assert (await env.snapshot()).points == 45


# --- bugs ------------------------------------------------------------------------------------


async def test_a_done_checklist_cannot_earn_points_twice(env: Env) -> None:
    async with env.service() as service:
        await service.confirm_read("basics.intro")
        for item in ("a", "b", "c"):
            await service.toggle_item("basics.tick", item)
    assert (await env.snapshot()).points == 30
    for _ in range(2):  # the old checklist message still has its buttons
        async with env.service() as service:
            with suppress(InputError):
                await service.toggle_item("basics.tick", "c")
    snapshot = await env.snapshot()
    assert snapshot.rows["basics.tick"] is TaskStatus.DONE
    assert snapshot.points == 30


async def test_a_done_counter_cannot_earn_points_twice(env: Env) -> None:
    async with env.service() as service:
        await finish_basics(service)
        await service.count("field.doors", 10)
    assert (await env.snapshot()).points == 65
    for amount in (1, 10):
        async with env.service() as service:
            with suppress(InputError):
                await service.count("field.doors", amount, absolute=True)
    assert (await env.snapshot()).points == 65


async def test_an_approved_task_cannot_be_submitted_again(env: Env) -> None:
    async with env.service() as service:
        await finish_basics(service)
        await service.upload("campaign.apply", "pdf-1", "pdf", 100)
        await review(service, "campaign.apply", True, None)
        await service.request_approval("campaign.nominate")
        await review(service, "campaign.nominate", True, None)
    assert (await env.snapshot()).points == 125
    async with env.service() as service:  # the stale "send to the coordinator" button
        with suppress(InputError):
            await service.request_approval("campaign.nominate")
    snapshot = await env.snapshot()
    assert snapshot.rows["campaign.nominate"] is TaskStatus.DONE
    assert snapshot.points == 125


STAGE = """
id = "{id}"
title = {{ ru = "Этап", en = "Stage" }}
intro = {{ ru = "Этап.", en = "Stage." }}
celebration = {{ ru = "Готово!", en = "Done!" }}
{unlock}
[[tasks]]
id = "first"
kind = "read"
title = {{ ru = "Первая", en = "First" }}
{first_unlock}
pages = [{{ ru = "Текст", en = "Text" }}]

[[tasks]]
id = "second"
kind = "read"
title = {{ ru = "Вторая", en = "Second" }}
pages = [{{ ru = "Текст", en = "Text" }}]
"""


def write_stage(directory: Path, unlock: str = "", first_unlock: str = "") -> Path:
    directory.mkdir(exist_ok=True)
    text = STAGE.format(id="solo", unlock=unlock, first_unlock=first_unlock)
    (directory / "01_solo.toml").write_text(text, encoding="utf-8")
    return directory


def test_a_task_cannot_wait_for_a_later_task(tmp_path: Path) -> None:
    """evaluate() is one pass in file order, so the loader refuses forward references
    (otherwise the task would stay locked forever)."""
    directory = write_stage(tmp_path / "q", first_unlock='unlock.after = ["second"]')
    with pytest.raises(QuestError) as refused:
        load_quest(directory)
    assert any("'second' comes later" in line for line in refused.value.errors)


def test_a_stage_window_that_passed_closes_its_tasks(tmp_path: Path) -> None:
    window = 'unlock.window = { closes = { event = "nomination_closes" } }'
    quest = load_quest(write_stage(tmp_path / "q", unlock=window))
    view = evaluate(quest, election(), {}, AFTER, 0, "en")
    assert state(view, "solo.second") is TaskState.CLOSED
    assert view.stages[0].finished
