"""The quest's rules: what is open, locked or done for a candidate today, and every step a
candidate (or a coordinator) can take. No aiogram here: handlers render what this decides.

Every step re-checks that the task is open *now*, so a forged or stale button cannot open a
locked task, and a passed window closes a task even if its button is still on the screen.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from datetime import date

from bot.db.models import Candidate, Election, TaskProgress, TaskStatus
from bot.db.uow import UnitOfWork
from bot.quests.loader import Quest, QuestTask, resolved_after
from bot.quests.schema import (
    ActionTask,
    ApprovalTask,
    ChecklistTask,
    CounterTask,
    DateRef,
    QuestionnaireTask,
    ReadTask,
    Unlock,
    UploadTask,
    level_of,
)
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.keyring import person_cipher, preload_people
from bot.services.payload import dict_of, int_of, list_of

MAX_COUNT = 100_000  # far above any district's signatures or doors; stops typos like 1000000


class TaskState(enum.StrEnum):
    LOCKED = "locked"
    OPEN = "open"
    STARTED = "started"
    WAITING = "waiting"
    RETURNED = "returned"
    DONE = "done"
    CLOSED = "closed"  # its window has passed undone


@dataclass(frozen=True)
class Lock:
    """Why something is locked: a catalogue message id and its parameters."""

    reason: str
    params: dict[str, object] = field(default_factory=dict)
    opens_on: date | None = None


@dataclass(frozen=True)
class TaskView:
    item: QuestTask
    state: TaskState
    lock: Lock | None = None
    deadline: date | None = None
    days_left: int | None = None
    progress: tuple[int, int] | None = None  # done of total (checklist, questionnaire, counter)
    comment: str | None = None  # a coordinator's note when returned

    @property
    def full_id(self) -> str:
        return self.item.full_id

    @property
    def actionable(self) -> bool:
        return self.state in (TaskState.OPEN, TaskState.STARTED, TaskState.RETURNED)


@dataclass(frozen=True)
class StageView:
    index: int
    stage_id: str
    tasks: tuple[TaskView, ...]
    lock: Lock | None

    @property
    def done(self) -> int:
        return sum(1 for t in self.tasks if t.state is TaskState.DONE)

    @property
    def total(self) -> int:
        return len(self.tasks)

    @property
    def finished(self) -> bool:
        return all(t.state in (TaskState.DONE, TaskState.CLOSED) for t in self.tasks)


@dataclass(frozen=True)
class QuestView:
    stages: tuple[StageView, ...]
    points: int

    @property
    def level(self) -> int:
        return level_of(self.points)

    @property
    def current(self) -> StageView:
        """The first open stage that is not finished (or the last one when all are)."""
        for stage in self.stages:
            if stage.lock is None and not stage.finished:
                return stage
        return self.stages[-1]

    def task(self, full_id: str) -> TaskView | None:
        for stage in self.stages:
            for task in stage.tasks:
                if task.full_id == full_id:
                    return task
        return None

    @property
    def open_ids(self) -> frozenset[str]:
        return frozenset(t.full_id for s in self.stages for t in s.tasks if t.actionable)


@dataclass
class Progress:
    """A candidate's stored progress on one task, decrypted."""

    status: TaskStatus
    data: dict[str, object]
    comment: str | None = None


def resolve(election: Election | None, ref: DateRef | None) -> date | None:
    if election is None or ref is None:
        return None
    if ref.event == "election_day":
        base: date | None = election.election_day
    else:
        raw = (election.calendar or {}).get(ref.event)
        base = date.fromisoformat(raw) if raw else None
    if base is None:
        return None
    from datetime import timedelta

    return base + timedelta(days=ref.days)


def _done(reference: str, states: dict[str, TaskState], quest: Quest) -> bool:
    stage = quest.stage(reference)
    if stage is not None:
        return all(
            states.get(f"{stage.id}.{t.id}") in (TaskState.DONE, TaskState.CLOSED)
            for t in stage.tasks
        )
    return states.get(reference) is TaskState.DONE


def _title(quest: Quest, reference: str, locale: str) -> str:
    stage = quest.stage(reference)
    if stage is not None:
        return stage.title.get(locale)
    item = quest.tasks.get(reference)
    return item.task.title.get(locale) if item else reference


def _lock(
    quest: Quest,
    stage_of_rule: object,
    unlock: Unlock,
    states: dict[str, TaskState],
    progress: Progress | None,
    election: Election | None,
    today: date,
    locale: str,
) -> tuple[Lock | None, bool]:
    """(why it is locked or None, whether its window has passed)."""
    assert stage_of_rule is not None
    for reference in resolved_after(quest, stage_of_rule, unlock):  # type: ignore[arg-type]
        if not _done(reference, states, quest):
            return Lock("quest-locked-after", {"what": _title(quest, reference, locale)}), False
    if unlock.window is not None:
        opens = resolve(election, unlock.window.opens)
        closes = resolve(election, unlock.window.closes)
        if unlock.window.opens is not None and opens is None:
            return Lock("quest-locked-date-unknown"), False
        if opens is not None and today < opens:
            return Lock("quest-locked-window", {"date": opens.strftime("%d.%m.%Y")}, opens), False
        if closes is not None and today > closes:
            return None, True
    if unlock.approval and progress is None:
        return Lock("quest-locked-approval"), False
    return None, False


def evaluate(
    quest: Quest,
    election: Election | None,
    progress: dict[str, Progress],
    today: date,
    points: int,
    locale: str,
    targets: dict[str, int | None] | None = None,
) -> QuestView:
    """The whole quest as the candidate sees it today. Tasks are evaluated in file order; a
    rule may only depend on what comes earlier (the loader forbids cycles)."""
    states: dict[str, TaskState] = {}
    stages: list[StageView] = []
    for index, stage in enumerate(quest.stages):
        stage_lock, stage_passed = _lock(
            quest, stage, stage.unlock, states, None, election, today, locale
        )
        views: list[TaskView] = []
        for item in quest.stage_tasks(stage):
            stored = progress.get(item.full_id)
            view = _task_view(quest, item, stored, stage_lock, states, election, today, locale,
                              targets or {}, stage_passed)  # fmt: skip
            states[item.full_id] = view.state
            views.append(view)
        stages.append(StageView(index, stage.id, tuple(views), stage_lock))
    return QuestView(tuple(stages), points)


def _task_view(
    quest: Quest,
    item: QuestTask,
    stored: Progress | None,
    stage_lock: Lock | None,
    states: dict[str, TaskState],
    election: Election | None,
    today: date,
    locale: str,
    targets: dict[str, int | None],
    stage_passed: bool = False,
) -> TaskView:
    task = item.task
    deadline = resolve(election, task.deadline)
    days_left = (deadline - today).days if deadline else None
    counts = _counts(task, stored, targets)
    if stored is not None and stored.status is TaskStatus.DONE:
        return TaskView(item, TaskState.DONE, None, deadline, days_left, counts)
    lock, passed = _lock(quest, item.stage, task.unlock, states, stored, election, today, locale)
    if stage_lock is not None:
        lock = stage_lock
    passed = passed or stage_passed
    if lock is not None:
        return TaskView(item, TaskState.LOCKED, lock, deadline, days_left, counts)
    if passed:
        return TaskView(item, TaskState.CLOSED, None, deadline, days_left, counts)
    state = {
        None: TaskState.OPEN,
        TaskStatus.STARTED: TaskState.STARTED,
        TaskStatus.WAITING: TaskState.WAITING,
        TaskStatus.RETURNED: TaskState.RETURNED,
    }[stored.status if stored else None]
    comment = stored.comment if stored else None
    return TaskView(item, state, None, deadline, days_left, counts, comment)


def counter_target(task: CounterTask, targets: dict[str, int | None]) -> int | None:
    return task.target if task.target is not None else targets.get(task.target_from or "")


def _counts(
    task: object, stored: Progress | None, targets: dict[str, int | None]
) -> tuple[int, int] | None:
    data = stored.data if stored else {}
    if isinstance(task, ChecklistTask):
        ticked = set(list_of(data, "ticked"))
        return len(ticked & {i.id for i in task.items}), len(task.items)
    if isinstance(task, QuestionnaireTask):
        answers = data.get("answers", {})
        assert isinstance(answers, dict)
        return sum(1 for f in task.fields if f.id in answers), len(task.fields)
    if isinstance(task, CounterTask):
        target = counter_target(task, targets)
        return int_of(data, "count"), target or 0
    return None


# --- storage ---------------------------------------------------------------------------------


class QuestStore:
    """Progress rows of one candidate, read once per update, decrypted."""

    def __init__(self, uow: UnitOfWork, cipher: FieldCipher, candidate: Candidate) -> None:
        self.uow = uow
        self.cipher = cipher
        self.candidate = candidate
        self._rows: dict[str, TaskProgress] | None = None

    async def rows(self) -> dict[str, TaskProgress]:
        if self._rows is None:
            # The answers (passport data, too) are under the candidate's own key.
            await preload_people(self.uow, self.cipher, [self.candidate.user_id])
            self._rows = {
                row.task_id: row for row in await self.uow.quest.progress(self.candidate.id)
            }
        return self._rows

    async def progress(self) -> dict[str, Progress]:
        return {
            task_id: Progress(row.status, self._data(row), row.comment)
            for task_id, row in (await self.rows()).items()
        }

    def _data(self, row: TaskProgress) -> dict[str, object]:
        raw = self.cipher.decrypt(row.data_enc)
        return dict(json.loads(raw)) if raw else {}

    async def save(
        self,
        full_id: str,
        data: dict[str, object],
        status: TaskStatus = TaskStatus.STARTED,
        points: int = 0,
    ) -> None:
        rows = await self.rows()
        row = rows.get(full_id)
        now = utcnow()
        if row is None:
            row = TaskProgress(candidate_id=self.candidate.id, task_id=full_id)
            await self.uow.quest.add(row)
            rows[full_id] = row
        own = await person_cipher(self.uow, self.cipher, self.candidate.user_id)
        assert own is not None
        row.data_enc = own.encrypt(json.dumps(data, ensure_ascii=False))
        if row.status is not TaskStatus.DONE and status is TaskStatus.DONE:
            row.completed_at = now
            row.points = points
            self.candidate.quest_points += points
        row.status = status
        row.updated_at = now
        self.candidate.last_progress_at = now


@dataclass(frozen=True)
class StepResult:
    """What a step changed: the task's new state, and what it completed or opened."""

    view: QuestView
    completed: bool = False
    finished_stage: str | None = None
    opened: tuple[str, ...] = ()


class QuestService:
    """The candidate's moves. Each one checks the task is open right now."""

    def __init__(
        self,
        quest: Quest,
        store: QuestStore,
        election: Election | None,
        today: date,
        locale: str,
        targets: dict[str, int | None] | None = None,
    ) -> None:
        self.quest = quest
        self.store = store
        self.election = election
        self.today = today
        self.locale = locale
        self.targets = targets or {}

    async def view(self) -> QuestView:
        return evaluate(
            self.quest,
            self.election,
            await self.store.progress(),
            self.today,
            self.store.candidate.quest_points,
            self.locale,
            self.targets,
        )

    async def answers(self) -> dict[str, object]:
        """Every questionnaire answer as {"stage.task.field": value}: other parts of the bot
        (the nomination documents) reuse what the candidate already told the quest."""
        found: dict[str, object] = {}
        for full_id, stored in (await self.store.progress()).items():
            given = stored.data.get("answers", {})
            if isinstance(given, dict):
                found.update({f"{full_id}.{field}": value for field, value in given.items()})
        return found

    async def open_task(self, full_id: str) -> TaskView:
        """The task if the candidate may work on it now; InputError otherwise."""
        view = (await self.view()).task(full_id)
        if view is None:
            raise InputError("quest-unknown-task")
        if view.state is TaskState.LOCKED:
            assert view.lock is not None
            raise InputError(view.lock.reason, **view.lock.params)
        if view.state is TaskState.CLOSED:
            raise InputError("quest-task-closed")
        return view

    async def _open_for_change(self, full_id: str, kind: type) -> TaskView:
        """The task if it is of `kind` and the candidate may still change it: open, not done,
        not in review. A wrong kind means a forged request: it reads as an unknown task."""
        view = await self.open_task(full_id)
        if not isinstance(view.item.task, kind):
            raise InputError("quest-unknown-task")
        if view.state is TaskState.DONE:
            raise InputError("quest-already-done")
        if view.state is TaskState.WAITING:
            raise InputError("quest-waiting")
        return view

    async def _data(self, full_id: str) -> dict[str, object]:
        stored = (await self.store.progress()).get(full_id)
        return dict(stored.data) if stored else {}

    async def _finish(self, view: TaskView, data: dict[str, object]) -> StepResult:
        before = await self.view()
        task = view.item.task
        status = TaskStatus.WAITING if task.review else TaskStatus.DONE
        await self.store.save(view.full_id, data, status, task.points)
        return await self._result(before, view.full_id)

    async def _result(self, before: QuestView, full_id: str) -> StepResult:
        after = await self.view()
        task_after = after.task(full_id)
        completed = task_after is not None and task_after.state is TaskState.DONE
        stage_before = next(s for s in before.stages if any(t.full_id == full_id for t in s.tasks))
        stage_after = after.stages[stage_before.index]
        finished = (
            stage_after.stage_id if stage_after.finished and not stage_before.finished else None
        )
        opened = tuple(sorted(after.open_ids - before.open_ids))
        return StepResult(after, completed, finished, opened)

    async def confirm_read(self, full_id: str) -> StepResult:
        view = await self._open_for_change(full_id, ReadTask)
        if not isinstance(view.item.task, ReadTask):
            raise InputError("quest-unknown-task")
        return await self._finish(view, await self._data(full_id))

    async def toggle_item(self, full_id: str, item_id: str) -> StepResult:
        view = await self._open_for_change(full_id, ChecklistTask)
        task = view.item.task
        if not isinstance(task, ChecklistTask) or item_id not in {i.id for i in task.items}:
            raise InputError("quest-unknown-task")
        data = await self._data(full_id)
        ticked = set(list_of(data, "ticked"))
        ticked ^= {item_id}
        data["ticked"] = sorted(ticked)
        if ticked >= {i.id for i in task.items}:
            return await self._finish(view, data)
        before = await self.view()
        await self.store.save(full_id, data)
        return await self._result(before, full_id)

    async def answer(self, full_id: str, field_id: str, value: str | None) -> StepResult:
        """Store one questionnaire answer (already validated by the caller's validator)."""
        view = await self._open_for_change(full_id, QuestionnaireTask)
        task = view.item.task
        if not isinstance(task, QuestionnaireTask):
            raise InputError("quest-unknown-task")
        question = next((f for f in task.fields if f.id == field_id), None)
        if question is None:
            raise InputError("quest-unknown-task")
        if value is None and question.required:
            raise InputError("quest-answer-required")
        data = await self._data(full_id)
        answers = dict_of(data, "answers")
        answers[field_id] = value
        data["answers"] = answers
        if all(f.id in answers for f in task.fields):
            return await self._finish(view, data)
        before = await self.view()
        await self.store.save(full_id, data)
        return await self._result(before, full_id)

    async def upload(self, full_id: str, file_id: str, kind: str, size: int) -> StepResult:
        view = await self._open_for_change(full_id, UploadTask)
        task = view.item.task
        if not isinstance(task, UploadTask):
            raise InputError("quest-unknown-task")
        if kind not in task.accept:
            raise InputError("quest-upload-kind")
        if size > task.max_mb * 1024 * 1024:
            raise InputError("quest-upload-too-big", limit=task.max_mb)
        data = await self._data(full_id)
        data["files"] = [*list_of(data, "files"), {"file_id": file_id, "kind": kind}]
        return await self._finish(view, data)

    async def count(self, full_id: str, amount: int, *, absolute: bool = False) -> StepResult:
        view = await self._open_for_change(full_id, CounterTask)
        task = view.item.task
        if not isinstance(task, CounterTask):
            raise InputError("quest-unknown-task")
        if not 0 <= amount <= MAX_COUNT:
            raise InputError("quest-count-range", limit=MAX_COUNT)
        data = await self._data(full_id)
        current = int_of(data, "count")
        new = amount if absolute else current + amount
        if new > MAX_COUNT:
            raise InputError("quest-count-range", limit=MAX_COUNT)
        data["count"] = new
        target = counter_target(task, self.targets)
        if target is not None and new >= target:
            return await self._finish(view, data)
        before = await self.view()
        await self.store.save(full_id, data)
        return await self._result(before, full_id)

    async def request_approval(self, full_id: str) -> StepResult:
        view = await self._open_for_change(full_id, ApprovalTask)
        if not isinstance(view.item.task, ApprovalTask):
            raise InputError("quest-unknown-task")
        before = await self.view()
        await self.store.save(full_id, await self._data(full_id), TaskStatus.WAITING)
        return await self._result(before, full_id)

    async def decide(self, full_id: str, approve: bool, comment: str | None) -> StepResult:
        """A coordinator approves a waiting task (or opens an approval-locked one), or
        returns it with a comment."""
        item = self.quest.tasks.get(full_id)
        if item is None:
            raise InputError("quest-unknown-task")
        before = await self.view()
        row = (await self.store.rows()).get(full_id)
        data = await self._data(full_id)
        if approve and row is not None and row.status is TaskStatus.WAITING:
            await self.store.save(full_id, data, TaskStatus.DONE, item.task.points)
        elif approve and row is None and item.task.unlock.approval:
            await self.store.save(full_id, data, TaskStatus.STARTED)  # opened by a coordinator
        elif not approve and row is not None and row.status is TaskStatus.WAITING:
            await self.store.save(full_id, data, TaskStatus.RETURNED)
            row.comment = comment
        else:
            raise InputError("quest-nothing-to-approve")
        return await self._result(before, full_id)

    async def report_action_done(self, action: str) -> list[StepResult]:
        """Called by another part of the bot (documents, fund...) when its work is done."""
        results = []
        for view in (await self.view()).stages:
            for task_view in view.tasks:
                task = task_view.item.task
                if isinstance(task, ActionTask) and task.action == action and task_view.actionable:
                    results.append(
                        await self._finish(task_view, await self._data(task_view.full_id))
                    )
        return results
