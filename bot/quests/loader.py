"""Loads the quest from `bot/quests/stages/*.toml` and checks everything a file can get wrong.

Every problem is reported as `file: field: reason`, all of them at once, so whoever edits the
quest fixes it in one pass. Unlock rules may only look back in file order (which rules out
cycles): the quest is evaluated in one pass. A broken quest stops start-up; a broken reload
keeps the running quest (see bot.handlers.quest).
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from bot.quests.schema import (
    ChecklistTask,
    QuestionnaireTask,
    ReadTask,
    Stage,
    Task,
    Text,
    Unlock,
    full_task_id,
)

STAGES_DIR = Path(__file__).parent / "stages"
MAX_FULL_ID = 48  # "q:<action>:<stage.task>:<n>" must fit Telegram's 64 bytes of callback data
MAX_BUTTON_TEXT = 60
MAX_PAGE = 3000  # a page plus its header and buttons stays far below 4096


class QuestError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class QuestTask:
    stage: Stage
    task: Task
    full_id: str
    stage_index: int


@dataclass(frozen=True)
class Quest:
    stages: tuple[Stage, ...]
    tasks: dict[str, QuestTask] = field(repr=False)
    version: str = ""

    def stage(self, stage_id: str) -> Stage | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    def stage_tasks(self, stage: Stage) -> list[QuestTask]:
        return [self.tasks[full_task_id(stage.id, t.id)] for t in stage.tasks]


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("read", "checklist", "questionnaire", "upload", "counter", "approval",
                      "action"):  # fmt: skip
            text += f"({part})"  # the discriminator pydantic puts in the path
        else:
            text += f".{part}" if text else part
    return text or "(file)"


def _parse(path: Path, errors: list[str]) -> Stage | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        errors.append(f"{path.name}: syntax: {error}")
        return None
    except UnicodeDecodeError:
        errors.append(f"{path.name}: (file): not UTF-8")
        return None
    try:
        return Stage.model_validate(data)
    except ValidationError as error:
        for problem in error.errors():
            errors.append(f"{path.name}: {_location(problem['loc'])}: {problem['msg']}")
        return None


def _texts(stage: Stage) -> Iterator[tuple[str, Text, int]]:
    """Every text of a stage with its location and the most characters it may have."""
    yield "title", stage.title, 200
    yield "intro", stage.intro, MAX_PAGE
    yield "celebration", stage.celebration, MAX_PAGE
    for index, task in enumerate(stage.tasks):
        where = f"tasks[{index}]"
        yield f"{where}.title", task.title, MAX_BUTTON_TEXT - 4  # room for a status mark
        if task.why:
            yield f"{where}.why", task.why, 1000
        if isinstance(task, ReadTask):
            for number, page in enumerate(task.pages):
                yield f"{where}.pages[{number}]", page, MAX_PAGE
        if isinstance(task, ChecklistTask):
            for number, item in enumerate(task.items):
                yield f"{where}.items[{number}].text", item.text, MAX_BUTTON_TEXT - 4
        if isinstance(task, QuestionnaireTask):
            for number, question in enumerate(task.fields):
                yield f"{where}.fields[{number}].label", question.label, 1000
                for choice_number, choice in enumerate(question.choices):
                    yield (
                        f"{where}.fields[{number}].choices[{choice_number}].text",
                        choice.text,
                        MAX_BUTTON_TEXT - 4,
                    )
        for name in ("intro", "prompt"):
            value = getattr(task, name, None)
            if isinstance(value, Text):
                yield f"{where}.{name}", value, MAX_PAGE


def _check_texts(name: str, stage: Stage, errors: list[str]) -> None:
    from bot.telegram.emulator import BotApiError, parse_html  # Telegram's own HTML rules

    for where, text, limit in _texts(stage):
        for locale in ("ru", "en"):
            try:
                plain, _ = parse_html(text.get(locale))
            except BotApiError as error:
                errors.append(f"{name}: {where}.{locale}: {error.description}")
                continue
            if len(plain) > limit:
                errors.append(
                    f"{name}: {where}.{locale}: {len(plain)} characters, at most {limit}"
                )


def _resolve(reference: str, stage: Stage, known: dict[str, Stage], tasks: set[str]) -> str | None:
    if reference in known:
        return reference
    if "." not in reference and full_task_id(stage.id, reference) in tasks:
        return full_task_id(stage.id, reference)
    return reference if reference in tasks else None


def _check_references(named: list[tuple[str, Stage]], errors: list[str]) -> None:
    """Every `unlock.after` must name a task or stage that comes earlier: the quest is
    evaluated in one pass in file order, and this also makes cycles impossible."""
    known = {stage.id: stage for _, stage in named}
    tasks = {full_task_id(stage.id, task.id) for _, stage in named for task in stage.tasks}
    # The quest is evaluated in file order in one pass, so a rule may only look back.
    order: dict[str, int] = {}
    for _, stage in named:
        for task in stage.tasks:
            order[full_task_id(stage.id, task.id)] = len(order)
        order[stage.id] = len(order)  # a stage is done after its last task

    def resolve_all(name: str, where: str, unlock: Unlock, stage: Stage, node: str) -> None:
        # A stage's own rule is checked before any of its tasks; a task's after its elders.
        position = (
            order[full_task_id(stage.id, stage.tasks[0].id)] if node == stage.id else (order[node])
        )
        for reference in unlock.after:
            target = _resolve(reference, stage, known, tasks)
            if target is None:
                errors.append(f"{name}: {where}.unlock.after: unknown task or stage {reference!r}")
            elif order[target] >= position:
                errors.append(
                    f"{name}: {where}.unlock.after: {reference!r} comes later in the quest; "
                    "a rule may only wait for what comes before it"
                )

    for name, stage in named:
        if stage.unlock.approval:
            errors.append(f"{name}: unlock.approval: a stage cannot wait for approval; "
                          "put an approval task first in it instead")  # fmt: skip
        resolve_all(name, "stage", stage.unlock, stage, stage.id)
        for index, task in enumerate(stage.tasks):
            node = full_task_id(stage.id, task.id)
            if len(node) > MAX_FULL_ID:
                errors.append(f"{name}: tasks[{index}].id: '{node}' is over {MAX_FULL_ID} chars")
            resolve_all(name, f"tasks[{index}]", task.unlock, stage, node)


def load_quest(directory: Path = STAGES_DIR) -> Quest:
    errors: list[str] = []
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise QuestError([f"{directory}: no stage files (*.toml)"])
    named: list[tuple[str, Stage]] = []
    for path in files:
        stage = _parse(path, errors)
        if stage is not None:
            named.append((path.name, stage))
            _check_texts(path.name, stage, errors)
    seen: dict[str, str] = {}
    for name, stage in named:
        if stage.id in seen:
            errors.append(f"{name}: id: stage {stage.id!r} is also defined in {seen[stage.id]}")
        seen[stage.id] = name
    _check_references(named, errors)
    if errors:
        raise QuestError(errors)
    stages = tuple(stage for _, stage in named)
    tasks = {
        full_task_id(stage.id, task.id): QuestTask(
            stage, task, full_task_id(stage.id, task.id), index
        )
        for index, stage in enumerate(stages)
        for task in stage.tasks
    }
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return Quest(stages, tasks, digest.hexdigest()[:12])


def resolved_after(quest: Quest, stage: Stage, unlock: Unlock) -> tuple[str, ...]:
    """`unlock.after` with short task ids made full ("task" -> "stage.task")."""
    known = {s.id: s for s in quest.stages}
    result = []
    for reference in unlock.after:
        target = _resolve(reference, stage, known, set(quest.tasks))
        if target is not None:
            result.append(target)
    return tuple(result)
