"""Loading the quest (bot.quests.loader): the real nine stages, every mistake a stage file can
make reported as `file: field: reason`, and the real quest's texts and buttons within
Telegram's limits in both languages."""

from __future__ import annotations

import shutil
import tomllib
from datetime import date
from pathlib import Path
from typing import cast

import pytest

from bot.db.models import Election
from bot.handlers.quest import Context, QuestCb, render_stage
from bot.i18n import Catalog
from bot.quests.loader import MAX_FULL_ID, STAGES_DIR, Quest, QuestError, load_quest
from bot.quests.schema import (
    ActionTask,
    ApprovalTask,
    ChecklistTask,
    CounterTask,
    QuestionnaireTask,
    ReadTask,
    Task,
    UploadTask,
)
from bot.services.geography import DEMO_ELECTION_FILE
from bot.services.quest import QuestService, evaluate
from bot.telegram.emulator import MAX_CALLBACK_DATA_BYTES, MAX_TEXT_LENGTH, parse_html

REAL_STAGES = [
    "profile",
    "decision",
    "documents",
    "fund",
    "signatures",
    "materials",
    "canvass",
    "mobilisation",
    "election_day",
]
# Every action of bot.handlers.quest's buttons that carries a task id (or a stage number).
ACTIONS = ("stages", "stage", "about", "task", "page", "read", "tick", "yn", "ch", "skip", "appr")

ALPHA = """\
id = "alpha"
title = { ru = "Альфа", en = "Alpha" }
intro = { ru = "Вступление", en = "Intro" }
celebration = { ru = "Ура", en = "Hooray" }

[[tasks]]
id = "one"
kind = "read"
title = { ru = "Один", en = "One" }
pages = [{ ru = "Текст", en = "Text" }]

[[tasks]]
id = "two"
kind = "checklist"
title = { ru = "Два", en = "Two" }
items = [{ id = "x", text = { ru = "Икс", en = "X" } }]
"""


@pytest.fixture(scope="module")
def real_quest() -> Quest:
    return load_quest()


def write(directory: Path, text: str, name: str = "01_alpha.toml") -> Path:
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(text, encoding="utf-8")
    return directory


def errors_of(directory: Path) -> list[str]:
    with pytest.raises(QuestError) as error:
        load_quest(directory)
    assert str(error.value) == "\n".join(error.value.errors)
    return error.value.errors


def has(errors: list[str], *parts: str) -> bool:
    """One reported line holds every part (file, field, reason)."""
    return any(all(part in line for part in parts) for line in errors)


# --- the real quest --------------------------------------------------------------------------


def test_the_real_quest_loads_in_order(real_quest: Quest) -> None:
    assert [stage.id for stage in real_quest.stages] == REAL_STAGES
    assert len(real_quest.tasks) == sum(len(s.tasks) for s in real_quest.stages)
    assert all(len(full_id) <= MAX_FULL_ID for full_id in real_quest.tasks)
    for index, stage in enumerate(real_quest.stages):
        assert [t.stage_index for t in real_quest.stage_tasks(stage)] == [index] * len(stage.tasks)


def test_the_version_is_stable_and_follows_the_files(real_quest: Quest, tmp_path: Path) -> None:
    assert len(real_quest.version) == 12
    assert load_quest().version == real_quest.version
    copy = tmp_path / "stages"
    shutil.copytree(STAGES_DIR, copy)
    assert load_quest(copy).version == real_quest.version
    edited = copy / "05_signatures.toml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    changed = load_quest(copy)
    assert changed.version != real_quest.version
    assert load_quest(copy).version == changed.version


def test_a_minimal_stage_loads(tmp_path: Path) -> None:
    quest = load_quest(write(tmp_path / "q", ALPHA))
    assert list(quest.tasks) == ["alpha.one", "alpha.two"]


# --- broken files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        pytest.param(
            ALPHA.replace('title = { ru = "Альфа", en = "Alpha" }', 'title = { ru = "Альфа"'),
            ("01_alpha.toml: syntax: ",),
            id="toml-syntax",
        ),
        pytest.param(
            'colour = "red"\n' + ALPHA,
            ("01_alpha.toml: colour: Extra inputs are not permitted",),
            id="unknown-key",
        ),
        pytest.param(
            ALPHA.replace('id = "two"\n', 'id = "two"\ncolour = "red"\n'),
            ("01_alpha.toml: tasks[1](checklist).colour: Extra inputs are not permitted",),
            id="unknown-key-in-a-task",
        ),
        pytest.param(
            ALPHA.replace('kind = "read"', 'kind = "video"'),
            ("01_alpha.toml: tasks[0]: ", "'video'", "does not match"),
            id="wrong-kind",
        ),
        pytest.param(
            ALPHA
            + """
[[tasks]]
id = "form"
kind = "questionnaire"
title = { ru = "Анкета", en = "Form" }
fields = [{ id = "city", type = "choice", label = { ru = "Город", en = "City" } }]
""",
            (
                "01_alpha.toml: tasks[2](questionnaire).fields[0]: ",
                "choices are required for type 'choice'",
            ),
            id="choice-without-choices",
        ),
        pytest.param(
            ALPHA
            + """
[[tasks]]
id = "sigs"
kind = "counter"
title = { ru = "Подписи", en = "Signatures" }
prompt = { ru = "Сколько?", en = "How many?" }
unit = { ru = "шт.", en = "pcs" }
target = 10
target_from = "signatures_required"
""",
            ("01_alpha.toml: tasks[2](counter): ", "exactly one of target and target_from"),
            id="counter-with-two-targets",
        ),
        pytest.param(
            ALPHA.replace('title = { ru = "Один", en = "One" }', 'title = { ru = "Один" }'),
            ("01_alpha.toml: tasks[0](read).title.en: Field required",),
            id="missing-en",
        ),
        pytest.param(
            ALPHA.replace('kind = "checklist"', 'kind = "checklist"\nunlock.after = ["nope"]'),
            ("01_alpha.toml: tasks[1].unlock.after: unknown task or stage 'nope'",),
            id="after-an-unknown-task",
        ),
        pytest.param(
            ALPHA.replace('id = "two"', 'id = "one"'),
            ("01_alpha.toml: tasks: ", "task id 'one' appears twice"),
            id="duplicate-task-ids",
        ),
        pytest.param(
            ALPHA.replace('en = "One"', 'en = "' + "x" * 57 + '"'),
            ("01_alpha.toml: tasks[0].title.en: 57 characters, at most 56",),
            id="title-over-the-button-limit",
        ),
        pytest.param(
            ALPHA.replace('en = "Text"', 'en = "Text <script>alert(1)</script>"'),
            (
                "01_alpha.toml: tasks[0].pages[0].en: ",
                'Bad Request: can\'t parse entities: Unsupported start tag "script"',
            ),
            id="bad-html",
        ),
        pytest.param(
            ALPHA.replace('en = "Text"', 'en = "<b>Text"'),
            ("01_alpha.toml: tasks[0].pages[0].en: ", "Can't find end tag"),
            id="unclosed-tag",
        ),
        pytest.param(
            ALPHA.replace('id = "alpha"', 'id = "' + "a" * 24 + '"').replace(
                'id = "one"', 'id = "' + "o" * 24 + '"'
            ),
            ("01_alpha.toml: tasks[0].id: ", f"is over {MAX_FULL_ID} chars"),
            id="full-id-too-long",
        ),
    ],
)
def test_a_broken_file_names_the_file_the_field_and_the_reason(
    tmp_path: Path, text: str, parts: tuple[str, ...]
) -> None:
    errors = errors_of(write(tmp_path / "q", text))
    assert has(errors, *parts), errors


def test_a_cycle_names_both_tasks(tmp_path: Path) -> None:
    text = ALPHA.replace('kind = "read"', 'kind = "read"\nunlock.after = ["two"]').replace(
        'kind = "checklist"', 'kind = "checklist"\nunlock.after = ["one"]'
    )
    errors = errors_of(write(tmp_path / "q", text))
    # One pass in file order: a rule may only wait for what comes before it, so every cycle
    # is refused at its forward reference.
    assert has(errors, "01_alpha.toml", "tasks[0].unlock.after", "'two' comes later"), errors


def test_a_cycle_across_stages_is_found(tmp_path: Path) -> None:
    first = ALPHA.replace('kind = "read"', 'kind = "read"\nunlock.after = ["beta.one"]')
    second = ALPHA.replace('id = "alpha"', 'id = "beta"').replace(
        'kind = "read"', 'kind = "read"\nunlock.after = ["alpha.one"]'
    )
    directory = write(tmp_path / "q", first)
    write(directory, second, "02_beta.toml")
    errors = errors_of(directory)
    assert has(errors, "01_alpha.toml", "'beta.one' comes later"), errors


def test_a_cycle_through_a_stage_unlock_is_found(tmp_path: Path) -> None:
    first = ALPHA.replace("celebration", 'unlock.after = ["beta"]\ncelebration')
    second = ALPHA.replace('id = "alpha"', 'id = "beta"').replace(
        'kind = "read"', 'kind = "read"\nunlock.after = ["alpha.two"]'
    )
    directory = write(tmp_path / "q", first)
    write(directory, second, "02_beta.toml")
    errors = errors_of(directory)
    assert has(errors, "01_alpha.toml", "stage.unlock.after", "'beta' comes later"), errors


def test_duplicate_stage_ids_name_both_files(tmp_path: Path) -> None:
    directory = write(tmp_path / "q", ALPHA)
    write(directory, ALPHA, "02_again.toml")
    errors = errors_of(directory)
    assert has(errors, "02_again.toml", "01_alpha.toml", "'alpha'"), errors


def test_no_stage_files(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README.md").write_text("not a stage", encoding="utf-8")
    errors = errors_of(tmp_path / "empty")
    assert has(errors, "no stage files"), errors


def test_every_error_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = 'colour = "red"\n' + ALPHA.replace(
        'title = { ru = "Один", en = "One" }', 'title = { ru = "Один" }'
    ).replace('kind = "checklist"', 'kind = "video"').replace('en = "Intro"', 'en = "<i>Intro"')
    directory = write(tmp_path / "q", text)
    write(directory, ALPHA.replace('id = "alpha"', 'id = "beta"').replace(
        'kind = "read"', 'kind = "read"\nunlock.after = ["gamma"]'), "02_beta.toml")  # fmt: skip
    errors = errors_of(directory)
    assert has(errors, "01_alpha.toml: colour: Extra inputs are not permitted"), errors
    assert has(errors, "01_alpha.toml: tasks[0](read).title.en: Field required"), errors
    assert has(errors, "01_alpha.toml: tasks[1]: ", "'video'"), errors
    assert has(errors, "02_beta.toml: tasks[0].unlock.after: unknown task or stage 'gamma'")
    assert len(errors) >= 4


def test_errors_in_texts_and_references_come_together(tmp_path: Path) -> None:
    text = ALPHA.replace('en = "Intro"', 'en = "<u>Intro"').replace(
        'kind = "checklist"', 'kind = "checklist"\nunlock.after = ["nope"]'
    )
    errors = errors_of(write(tmp_path / "q", text))
    assert has(errors, "01_alpha.toml: intro.en: ", "Can't find end tag"), errors
    assert has(errors, "01_alpha.toml: tasks[1].unlock.after: ", "'nope'"), errors


# --- the real quest within Telegram's limits -------------------------------------------------


def _bodies(task: Task, locale: str) -> list[str]:
    """The texts a task's screens show under its header, one screen each."""
    if isinstance(task, ReadTask):
        return [page.get(locale) for page in task.pages]
    if isinstance(task, ChecklistTask):
        intro = task.intro.get(locale) if task.intro else ""
        return [intro + "".join("\n⬜ " + item.text.get(locale) for item in task.items)]
    if isinstance(task, QuestionnaireTask):
        screens = [task.intro.get(locale) if task.intro else ""]
        for field in task.fields:
            example = field.example.get(locale) if field.example else ""
            screens.append(field.label.get(locale) + "\n" + example)
        return screens
    assert isinstance(task, UploadTask | CounterTask | ApprovalTask | ActionTask)
    return [task.prompt.get(locale)]


def _plain_length(text: str) -> int:
    plain, _ = parse_html(text)
    return len(plain)


@pytest.fixture(scope="module")
def demo_election() -> Election:
    data = tomllib.loads(DEMO_ELECTION_FILE.read_text(encoding="utf-8"))["election"]
    return Election(
        code="demo",
        name="demo",
        election_day=date.fromisoformat(str(data["election_day"])),
        calendar={key: str(value) for key, value in data["calendar"].items()},
    )


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_every_screen_of_the_real_quest_fits_a_message(
    real_quest: Quest, catalog: Catalog, demo_election: Election, locale: str
) -> None:
    t = catalog.translator(locale)
    for stage in real_quest.stages:
        about = f"<b>{stage.title.get(locale)}</b>\n\n{stage.intro.get(locale)}"
        assert _plain_length(about) + 200 <= MAX_TEXT_LENGTH, stage.id
        assert _plain_length(stage.celebration.get(locale)) + 200 <= MAX_TEXT_LENGTH, stage.id
        for item in real_quest.stage_tasks(stage):
            task = item.task
            header = f"<b>{task.title.get(locale)}</b>\n"
            header += f"<i>{task.why.get(locale)}</i>\n" if task.why else ""
            for body in _bodies(task, locale):
                length = _plain_length(header + "\n" + body) + 200
                assert length <= MAX_TEXT_LENGTH, (item.full_id, length)
    # The stage screens exactly as the bot renders them, with every lock spelled out.
    context = Context(cast(QuestService, None), real_quest, t)
    for today in (date(2027, 1, 10), date(2027, 9, 30)):
        view = evaluate(real_quest, demo_election, {}, today, 99_999, locale)
        for stage_view in view.stages:
            text, markup = render_stage(context, stage_view, 99_999, 7)
            assert _plain_length(text) <= MAX_TEXT_LENGTH, stage_view.stage_id
            for row in markup.inline_keyboard:
                for button in row:
                    assert button.callback_data is not None
                    data = button.callback_data.encode()
                    assert len(data) <= MAX_CALLBACK_DATA_BYTES, button.callback_data


def test_every_callback_of_the_real_quest_fits_64_bytes(real_quest: Quest) -> None:
    longest = max(real_quest.tasks, key=len)
    for full_id in real_quest.tasks:
        for action in ACTIONS:
            packed = QuestCb(action=action, task=full_id, n=99).pack()
            assert len(packed.encode()) <= MAX_CALLBACK_DATA_BYTES, packed
    # The loader's limit itself leaves room for the longest action and a two-digit number.
    worst = QuestCb(action=max(ACTIONS, key=len), task="x" * MAX_FULL_ID, n=99).pack()
    assert len(worst.encode()) <= MAX_CALLBACK_DATA_BYTES, (worst, longest)


def test_every_action_task_names_the_command_where_it_is_done() -> None:
    from typing import get_args

    from bot.handlers.quest import ACTION_COMMANDS
    from bot.quests.schema import ActionTask

    actions = set(get_args(ActionTask.model_fields["action"].annotation))
    assert actions == set(ACTION_COMMANDS)
    from bot.telegram.commands import PUBLIC

    assert {command.lstrip("/") for command in ACTION_COMMANDS.values()} <= set(PUBLIC)
