"""A candidate registers through the fake Telegram, the bot polling it over real HTTP."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import AuditEntry, Candidate, CandidateStatus, FsmRecord, User
from bot.services import names
from tests.conftest import RunningBot
from tests.fake_telegram import VirtualUser


async def register(user: VirtualUser, *, name: str = "Иванова Мария Сергеевна") -> None:
    """The happy path, as a candidate drives it."""
    await user.send("/start")
    await user.expect("Согласие на обработку")
    await user.press("Согласен")
    await user.expect("Шаг 1 из 5")
    await user.send(name)
    await user.expect("Шаг 2 из 5")
    assert any("Поделиться контактом" in b for b in user.reply_keyboard)
    await user.press_reply("Поделиться контактом")
    await user.expect("Шаг 3 из 5")
    await user.send("maria@Example.RU")
    await user.expect("Шаг 4 из 5")
    await user.press("Союз соседей")
    await user.expect("Шаг 5 из 5")
    await user.send("гаван")
    await user.expect("Нашлось 1 муниципальное образование")
    await user.press("Гавань")
    await user.expect("Выберите ваш")
    await user.press("Округ №2")
    card = await user.expect("Карточка кандидата")
    assert "maria@example.ru" in card["text"]
    assert "Гавань (Василеостровский р-н), округ №2" in card["text"]
    await user.press("подтвердить")
    await user.expect("Вы зарегистрированы")


async def candidate_of(running: RunningBot, user_id: int) -> Candidate | None:
    async with running.app.uow_factory() as uow:
        return await uow.candidates.by_user(user_id)


async def name_of(running: RunningBot, candidate: Candidate) -> str | None:
    """The candidate's name, decrypted: the database holds no plaintext copy."""
    async with running.app.uow_factory() as uow:
        return await names.full_name(uow, running.app.cipher, candidate)


async def test_full_registration_stores_normalised_encrypted_data(running: RunningBot) -> None:
    user = running.user()
    await register(user, name="иванова  мария сергеевна")
    candidate = await candidate_of(running, user.user_id)
    assert candidate is not None
    assert candidate.status is CandidateStatus.REGISTERED
    assert await name_of(running, candidate) == "Иванова Мария Сергеевна"
    cipher = running.app.cipher
    assert candidate.phone_enc and user.phone.lstrip("+") not in candidate.phone_enc
    assert cipher.decrypt(candidate.phone_enc) == user.phone
    assert cipher.decrypt(candidate.email_enc) == "maria@example.ru"
    async with running.app.uow_factory() as uow:
        district = await uow.geography.district(candidate.district_id or 0)
        assert district is not None
        assert (district.formation.name, district.number) == ("Гавань", 2)
        actions = [entry.action for entry in await uow.audit.for_subject("user", user.user_id)]
    assert actions == ["consent_given"]
    # The dialog is over: no state is left behind.
    async with running.app.session_factory() as session:
        left = await session.scalar(
            select(func.count()).select_from(FsmRecord).where(FsmRecord.user_id == user.user_id)
        )
    assert left == 0


async def test_nothing_is_stored_before_consent(running: RunningBot) -> None:
    user = running.user()
    await user.send("/start")
    await user.expect("Согласие на обработку")
    await user.send("Иванова Мария")  # talking before agreeing
    await user.expect("Согласие на обработку")
    await user.press("Не согласен")
    await user.expect("Без согласия я не могу")
    async with running.app.session_factory() as session:
        assert await session.get(User, user.user_id) is None
        fsm = await session.scalar(select(func.count()).select_from(FsmRecord))
        audit = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.actor_id == user.user_id)
        )
    assert (fsm, audit) == (0, 0)


async def test_wrong_input_at_every_step_keeps_the_place(running: RunningBot) -> None:
    user = running.user()
    await user.send("/start")
    await user.expect("Согласие на обработку")
    await user.press("Согласен")
    await user.expect("Шаг 1 из 5")
    # Name: a sticker, a photo, one word, digits, mixed alphabets, 10,000 characters.
    await user.send_sticker()
    await user.expect("жду ФИО")
    await user.send_photo()
    await user.expect("жду ФИО")
    await user.send("Мария")
    await user.expect("Нужны фамилия и имя")
    await user.send("Иванова Мария 2")
    await user.expect("только буквы")
    await user.send("Ивaнова Мария")  # a Latin "a"
    await user.expect("смешаны русские и латинские")
    await user.send("Я" * 10_000)
    await user.expect("Слишком длинно")
    await user.send("<b>Иванова</b> Мария")
    await user.expect("только буквы")
    await user.send("Иванова Мария")
    await user.expect("Шаг 2 из 5")
    # Phone: typed, someone else's contact, a forwarded own-looking contact.
    await user.send("+79111234567")
    await user.expect("Нажмите кнопку")
    await user.share_contact(of_user_id=555)
    await user.expect("чужой контакт")
    await user.share_contact()
    await user.expect("Шаг 3 из 5")
    # E-mail: nonsense, then skip.
    await user.send("not-an-email")
    await user.expect("не похоже на e-mail")
    await user.press("Пропустить")
    await user.expect("Шаг 4 из 5")
    # Organisation: typed instead of pressed; a forged button.
    await user.send("Союз соседей")
    await user.expect("выберите вариант кнопкой")
    await user.press_data("org:99999")
    await user.expect_answer("больше недоступен")
    await user.press("Гражданская")
    await user.expect("Шаг 5 из 5")
    # Formation: too short, nothing found, too many.
    await user.send("а")
    await user.expect("хотя бы 2 буквы")
    await user.send("Нарния")
    await user.expect("Не нашёл")
    await user.send("ско")
    await user.expect("Показаны первые 8")
    await user.send("Сосоновское")  # a typo still finds it
    await user.expect("Нашлось")
    await user.press("Сосновское")
    await user.expect("Выберите ваш")
    await user.send_sticker()
    await user.expect("Шаг 5 из 5")
    await user.press_data("ed:99999")
    await user.expect_answer("больше недоступен")
    await user.press("Округ №1")
    await user.expect("Карточка кандидата")
    await user.send("подтверждаю")
    await user.expect("выберите вариант кнопкой")
    await user.press("подтвердить")
    await user.expect("Вы зарегистрированы")
    candidate = await candidate_of(running, user.user_id)
    assert candidate is not None and await name_of(running, candidate) == "Иванова Мария"
    assert candidate.email_enc is None and candidate.email_answered


async def test_summary_edit_returns_to_the_card(running: RunningBot) -> None:
    user = running.user()
    await user.send("/start")
    await user.expect("Согласие на обработку")
    await user.press("Согласен")
    await user.expect("Шаг 1 из 5")
    await user.send("Петров Пётр")
    await user.expect("Шаг 2 из 5")
    await user.share_contact()
    await user.expect("Шаг 3 из 5")
    await user.press("Пропустить")
    await user.expect("Шаг 4 из 5")
    await user.press("Зелёный")
    await user.expect("Шаг 5 из 5")
    await user.send("Парнас")
    await user.expect("Нашлось")
    await user.press("Парнас")
    await user.expect("Выберите ваш")
    await user.press("Округ №3")
    await user.expect("Карточка кандидата")
    await user.press("ФИО")
    await user.expect("Шаг 1 из 5")
    await user.send("Петров-Водкин Кузьма Сергеевич")
    card = await user.expect("Карточка кандидата")
    assert "Петров-Водкин Кузьма Сергеевич" in card["text"]
    await user.press("✏️ Округ")
    await user.expect("Шаг 5 из 5")
    await user.send("Гавань")
    await user.expect("Нашлось")
    await user.press("Гавань")
    await user.expect("Выберите ваш")
    await user.press("Округ №1")
    card = await user.expect("Карточка кандидата")
    assert "Гавань" in card["text"] and "Парнас" not in card["text"]


async def test_cancel_keeps_answers_and_start_resumes(running: RunningBot) -> None:
    user = running.user()
    await user.send("/start")
    await user.expect("Согласие на обработку")
    await user.press("Согласен")
    await user.expect("Шаг 1 из 5")
    await user.send("Сидорова Анна")
    await user.expect("Шаг 2 из 5")
    await user.send("/cancel")
    await user.expect("Диалог прерван")
    await user.send("Что-то постороннее")
    await user.expect("Не понял")
    await user.send("/start")
    await user.expect("С возвращением")
    await user.expect("Шаг 2 из 5")
    candidate = await candidate_of(running, user.user_id)
    assert candidate is not None and await name_of(running, candidate) == "Сидорова Анна"


async def test_organisation_invite_link_skips_the_question(running: RunningBot) -> None:
    user = running.user()
    await user.send("/start org-green")
    await user.expect("Вас пригласила организация «Зелёный Петербург»")
    await user.expect("Согласие на обработку")
    await user.press("Согласен")
    await user.expect("Шаг 1 из 5")
    await user.send("Зеленова Ольга")
    await user.expect("Шаг 2 из 5")
    await user.share_contact()
    await user.expect("Шаг 3 из 5")
    await user.press("Пропустить")
    step = await user.expect("Организация: «Зелёный Петербург» (по приглашению)")
    assert "Шаг 5 из 5" in step["text"]  # the note leads the next question: one message


async def test_malformed_deep_link_opens_plain_start(running: RunningBot) -> None:
    user = running.user()
    await user.send("/start " + "x" * 80)
    await user.expect("Согласие на обработку")
    await user.send("/start org-nosuchorg")
    await user.expect("Согласие на обработку")
    assert not any("пригласила" in m.get("text", "") for m in user.transcript)


async def test_english_speaker_gets_english(running: RunningBot) -> None:
    user = running.user(language_code="en")
    await user.send("/start")
    await user.expect("Consent to the processing")
    await user.press("I agree")
    await user.expect("Step 1 of 5")
    await user.send("x")
    await user.expect("I need a surname")


async def test_language_switch_before_and_after_consent(running: RunningBot) -> None:
    user = running.user()
    await user.send("/language")
    await user.expect("Choose your language")
    await user.press("English")
    await user.expect("Consent to the processing")
    await user.press("I agree")
    await user.expect("Step 1 of 5")
    async with running.app.uow_factory() as uow:
        stored = await uow.users.get(user.user_id)
    assert stored is not None and stored.locale == "en"
    await user.send("/language")
    await user.expect("Choose your language")
    await user.press("Русский")
    await user.expect("общаемся по-русски")
    await user.send("/help")
    await user.expect("Команды")
