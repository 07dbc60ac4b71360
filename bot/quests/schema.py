"""The quest as data: what a stage file (`bot/quests/stages/NN_<id>.yaml`) may contain.

The models are strict (unknown keys are errors) so a typo in a quest file stops start-up with
the file, the field and the reason instead of silently dropping a task.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[a-z][a-z0-9_]{0,23}$"
# Events of the electoral calendar a date can be relative to. `election_day` comes from the
# election itself, the others from its calendar (see bot.services.election.CALENDAR_EVENTS).
CalendarEvent = Literal[
    "election_day",
    "nomination_opens",
    "nomination_closes",
    "registration_docs_due",
    "campaign_opens",
    "campaign_closes",
    "final_report_due",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in both languages. HTML as Telegram accepts it (b, i, u, s, a, code...)."""

    ru: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, locale: str) -> str:
        return self.en if locale == "en" else self.ru


class DateRef(Strict):
    """A date relative to an event of the election: `{event: election_day, days: -30}`."""

    event: CalendarEvent
    days: int = 0


class Window(Strict):
    """When a task can be done. Either bound may be missing."""

    opens: DateRef | None = None
    closes: DateRef | None = None


class Unlock(Strict):
    after: tuple[str, ...] = ()  # task ids ("stage.task") or stage ids that must be done first
    window: Window | None = None
    approval: bool = False  # a coordinator opens it


class TaskBase(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    title: Text
    why: Text | None = None  # one or two sentences: why this matters
    points: int = Field(default=10, ge=0, le=1000)
    unlock: Unlock = Unlock()
    deadline: DateRef | None = None
    # Completion needs a coordinator's check (the candidate submits, a coordinator approves).
    review: bool = False


class ReadTask(TaskBase):
    """A guide of one or several pages, confirmed at the end."""

    kind: Literal["read"]
    pages: tuple[Text, ...] = Field(min_length=1)


class ChecklistItem(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    text: Text


class ChecklistTask(TaskBase):
    kind: Literal["checklist"]
    intro: Text | None = None
    items: tuple[ChecklistItem, ...] = Field(min_length=1)


FieldType = Literal[
    "text", "long_text", "date", "number", "phone", "email", "yes_no", "choice", "inn", "snils"
]


class QuestionField(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    type: FieldType
    label: Text
    example: Text | None = None
    required: bool = True
    choices: tuple[ChecklistItem, ...] = ()  # for type "choice"
    sensitive: bool = False  # masked when shown back

    @model_validator(mode="after")
    def _choices(self) -> QuestionField:
        if (self.type == "choice") != bool(self.choices):
            raise ValueError("choices are required for type 'choice' and only for it")
        return self


class QuestionnaireTask(TaskBase):
    kind: Literal["questionnaire"]
    intro: Text | None = None
    fields: tuple[QuestionField, ...] = Field(min_length=1)


class UploadTask(TaskBase):
    kind: Literal["upload"]
    prompt: Text
    accept: tuple[Literal["photo", "pdf"], ...] = ("photo", "pdf")
    max_mb: int = Field(default=10, ge=1, le=20)  # getFile downloads at most 20 MB


class CounterTask(TaskBase):
    """Signatures collected, doors knocked: a number reported until it reaches the target."""

    kind: Literal["counter"]
    prompt: Text
    unit: Text
    target: int | None = Field(default=None, ge=1)
    # A target computed from the election (see bot.services.election.TARGETS).
    target_from: Literal["signatures_required", "signatures_max"] | None = None

    @model_validator(mode="after")
    def _one_target(self) -> CounterTask:
        if (self.target is None) == (self.target_from is None):
            raise ValueError("give exactly one of target and target_from")
        return self


class ApprovalTask(TaskBase):
    """Done when a coordinator approves (e.g. the organisation's decision to nominate)."""

    kind: Literal["approval"]
    prompt: Text


class ActionTask(TaskBase):
    """Opens another part of the bot; done when that part reports it done."""

    kind: Literal["action"]
    action: Literal["documents", "fund", "canvass", "materials", "print_runs", "supporters"]
    prompt: Text


Task = Annotated[
    ReadTask
    | ChecklistTask
    | QuestionnaireTask
    | UploadTask
    | CounterTask
    | ApprovalTask
    | ActionTask,
    Field(discriminator="kind"),
]


class Stage(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    title: Text
    intro: Text
    celebration: Text  # shown when the stage is finished
    unlock: Unlock = Unlock()
    tasks: tuple[Task, ...] = Field(min_length=1)

    @field_validator("tasks")
    @classmethod
    def _unique_tasks(cls, tasks: tuple[TaskBase, ...]) -> tuple[TaskBase, ...]:
        seen: set[str] = set()
        for task in tasks:
            if task.id in seen:
                raise ValueError(f"task id {task.id!r} appears twice")
            seen.add(task.id)
        return tasks


LEVELS = (0, 50, 150, 300, 500, 800, 1200)  # points needed for each level


def level_of(points: int) -> int:
    return sum(1 for threshold in LEVELS if points >= threshold)


def full_task_id(stage_id: str, task_id: str) -> str:
    return f"{stage_id}.{task_id}"


_FULL_ID = re.compile(r"^[a-z][a-z0-9_]{0,23}(\.[a-z][a-z0-9_]{0,23})?$")


def is_reference(value: str) -> bool:
    return bool(_FULL_ID.match(value))
