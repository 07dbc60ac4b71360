"""The rules behind the nomination documents, without Telegram: the checks of each answer, name
declension, masking, what the forms say for women, party nominees and criminal records, the
catalogue entries of every question, and re-encryption under a new key."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from bot.documents.nomination import Declaration, NominationData, render_all
from bot.i18n import LOCALES, Catalog
from bot.services import documents_form as form
from bot.services import validation
from bot.services.documents import filename, locality_of
from bot.services.documents_names import Form, FullName, Sex, decline, detect_sex
from bot.services.errors import InputError

CONTEXT = form.Context(election_day=date(2027, 9, 19), today=date(2027, 6, 22))


def check(field: str, raw: str, **answers: str) -> str:
    return form.check(form.BY_ID[field], raw, answers, CONTEXT)


def error_of(field: str, raw: str, **answers: str) -> str:
    with pytest.raises(InputError) as caught:
        check(field, raw, **answers)
    return caught.value.code


def test_every_question_has_its_texts_in_both_languages(catalog: Catalog) -> None:
    for locale in LOCALES:
        ids = catalog.message_ids(locale)
        for question in form.QUESTIONS:
            assert {question.label, question.example, question.short} <= ids, question.id
    from bot.handlers.documents import CHOICE_KEYS, KIND_KEYS, STATUS_KEYS, VALUE_KEYS

    keys = {*STATUS_KEYS.values(), *VALUE_KEYS.values(), *KIND_KEYS.values()}
    keys |= {key for pair in CHOICE_KEYS.values() for key in pair}
    for locale in LOCALES:
        assert keys <= catalog.message_ids(locale)


@pytest.mark.parametrize(
    ("born", "ok"),
    [("19.09.2009", True), ("20.09.2009", False), ("29.02.2008", True), ("01.01.2015", False)],
)
def test_eighteen_on_election_day(born: str, ok: bool) -> None:
    if ok:
        assert check("birth_date", born) == born
    else:
        assert error_of("birth_date", born) == "docs-error-too-young"


def test_dates_and_years() -> None:
    assert check("birth_date", " 7.3.1985 ") == "07.03.1985"
    assert error_of("birth_date", "1985-03-07") == "error-date-format"
    assert error_of("birth_date", "30.02.1985") == "error-date-invalid"
    assert error_of("birth_date", "01.01.1899") == "docs-error-birth-range"
    assert error_of("passport_issued", "01.01.2030") == "docs-error-future"
    assert error_of("passport_issued", "01.01.1995", birth_date="07.03.1985") == (
        "docs-error-issued-early"
    )
    assert check("passport_issued", "07.03.1999", birth_date="07.03.1985") == "07.03.1999"
    assert error_of("edu_year", "07") == "docs-error-year"
    assert error_of("edu_year", "1990", birth_date="07.03.1985") == "docs-error-year-range"
    assert check("edu_year", "2007", birth_date="07.03.1985") == "2007"


def test_passport_and_numbers() -> None:
    assert check("passport_series", "40 12") == "40 12"
    assert check("passport_series", "4012") == "40 12"
    assert error_of("passport_series", "40 1") == "error-passport-series"
    assert error_of("passport_series", "АБ 12") == "error-passport-series"
    assert check("passport_number", "918 273") == "918273"
    assert error_of("passport_number", "91827") == "error-passport-number"
    assert check("passport_division", "780012") == "780-012"
    assert check("passport_division", "780 - 012") == "780-012"
    assert error_of("passport_division", "78-012") == "error-division-code"
    assert check("inn", "5001 0073 2259") == "500100732259"
    assert error_of("inn", "500100732258") == "error-inn-checksum"
    assert error_of("inn", "7707083893") == "error-inn-person"
    assert error_of("inn", "12345") == "error-inn-format"
    assert check("snils", "11223344595") == "112-233-445 95"
    assert error_of("snils", "112-233-445 96") == "error-snils-checksum"


def test_texts_names_addresses_and_lists() -> None:
    assert check("full_name", "иванов  иван иванович") == "Иванов Иван Иванович"
    assert error_of("full_name", "Ivanov Ivan") == "docs-error-name-cyrillic"
    assert error_of("full_name", "Иванов") == "error-name-parts"
    assert error_of("address", "Наличная 40") == "docs-error-address"
    assert error_of("address", "Санкт-Петербург, Невский") == "docs-error-address"
    assert error_of("birth_place", "   ") == "docs-error-empty"
    assert error_of("work_place", "x" * 301) == "docs-error-too-long"
    assert error_of("education", "да") == "error-use-buttons"
    assert check("income", "нет") == ""
    assert check("income", "Школа — 1 000\n\n Банк:  12,5 ") == "Школа — 1 000\nБанк: 12,5"
    assert error_of("income", "Школа — 1 000\nподарок") == "docs-error-money-line"
    assert form.split_money_line("ООО «Ромашка», зарплата — 850 000 руб.") == (
        "ООО «Ромашка», зарплата",
        "850000.00",
    )


def test_questions_follow_the_answers() -> None:
    answers = {"full_name": "Иванов Иван Иванович", "education": "no", "deputy": "yes"}
    ids = [q.id for q in form.applicable(answers, declaration=False)]
    assert "edu_institution" not in ids and "deputy_council" in ids and "income" not in ids
    assert "sex" not in ids  # the patronymic tells
    assert "sex" in [q.id for q in form.applicable({"full_name": "Ким Саша"}, False)]
    assert "income" in [q.id for q in form.applicable(answers, declaration=True)]
    # "yes" changed to "no": the details that no longer apply are erased.
    stale = form.stale({"deputy": "no", "deputy_council": "МС Гавань", "income": "нет"}, False)
    assert stale == {"deputy_council"}
    done, total = form.progress({"full_name": "Иванов Иван Иванович"}, declaration=True)
    assert (done, total) == (1, 24)  # the follow-up questions wait for their answers


def test_masks_show_enough_to_recognise_and_no_more() -> None:
    masked = {
        q.id: form.mask(q, value)
        for q, value in (
            (form.BY_ID["passport_number"], "918273"),
            (form.BY_ID["passport_series"], "40 12"),
            (form.BY_ID["inn"], "500100732259"),
            (form.BY_ID["snils"], "112-233-445 95"),
            (form.BY_ID["birth_date"], "07.03.1985"),
            (form.BY_ID["address"], "г. Санкт-Петербург, ул. Наличная, д. 40"),
            (form.BY_ID["criminal"], "yes"),
            (form.BY_ID["income"], "Школа — 1 000\nБанк — 5"),
            (form.BY_ID["work_place"], "ГБОУ СОШ № 5"),
        )
    }
    assert masked == {
        "passport_number": "****73",
        "passport_series": "** 12",
        "inn": "**********59",
        "snils": "***-***-*** 95",
        "birth_date": "**.**.1985",
        "address": "г. ***",
        "criminal": "***",
        "income": "*** (2)",
        "work_place": "ГБОУ СОШ № 5",
    }
    assert form.mask(form.BY_ID["inn"], "") == "—"
    assert validation.mask_text("ab") == "***"


@pytest.mark.parametrize(
    ("name", "sex", "genitive", "instrumental"),
    [
        ("Иванов Иван Иванович", Sex.MALE, "Иванова Ивана Ивановича",
         "Ивановым Иваном Ивановичем"),
        ("Иванова Мария Сергеевна", Sex.FEMALE, "Ивановой Марии Сергеевны",
         "Ивановой Марией Сергеевной"),
        ("Бондаренко Ольга Петровна", Sex.FEMALE, "Бондаренко Ольги Петровны",
         "Бондаренко Ольгой Петровной"),
        ("Белых Андрей Ильич", Sex.MALE, "Белых Андрея Ильича", "Белых Андреем Ильичом"),
        ("Ткач Анна Ивановна", Sex.FEMALE, "Ткач Анны Ивановны", "Ткач Анной Ивановной"),
        ("Салтыков-Щедрин Михаил Евграфович", Sex.MALE, "Салтыкова-Щедрина Михаила Евграфовича",
         "Салтыковым-Щедриным Михаилом Евграфовичем"),
        ("Смирнова Любовь Андреевна", Sex.FEMALE, "Смирновой Любови Андреевны",
         "Смирновой Любовью Андреевной"),
    ],
)  # fmt: skip
def test_names_decline_as_the_forms_need(
    name: str, sex: Sex, genitive: str, instrumental: str
) -> None:
    full = FullName.parse(name)
    assert detect_sex(full) is sex
    assert decline(full, Form.GENITIVE, sex) == genitive
    assert decline(full, Form.INSTRUMENTAL, sex) == instrumental
    assert decline(full, Form.NOMINATIVE, sex) == name


def test_locality_and_file_names() -> None:
    assert locality_of("г. Санкт-Петербург, ул. Наличная, д. 40, кв. 12") == "г. Санкт-Петербург"
    assert locality_of("Ленинградская обл., г. Всеволожск, пр. Ленина, 5") == (
        "Ленинградская обл., г. Всеволожск"
    )
    assert locality_of("Санкт-Петербург, пос. Парголово, Выборгское ш., д. 1") == (
        "Санкт-Петербург, пос. Парголово"
    )
    assert filename("statement", "Салтыков-Щедрин", 3) == (
        "Заявление_о_согласии_Салтыков-Щедрин_v3.pdf"
    )
    assert filename("inventory", "../etc", 1) == "Опись_документов_etc_v1.pdf"


def sample(**changes: object) -> NominationData:
    values: dict[str, object] = dict(
        version=1,
        generated_at=datetime(2027, 6, 22, 9, tzinfo=UTC),
        name="Петрова Анна Ивановна",
        name_genitive="Петровой Анны Ивановны",
        name_instrumental="Петровой Анной Ивановной",
        female=True,
        birth_date="01.02.1990",
        birth_place="г. Псков",
        address="г. Санкт-Петербург, ул. Наличная, д. 1",
        locality="г. Санкт-Петербург",
        passport_series="40 10",
        passport_number="123456",
        passport_issued="01.03.2010",
        passport_issuer="ТП № 1",
        passport_division="780-001",
        inn=None,
        snils=None,
        citizenship="Российская Федерация",
        education=None,
        work="пенсионер",
        deputy_council="депутат МС МО Гавань",
        criminal="ч. 1 ст. 158 УК РФ, погашена 12.05.2015",
        party_membership="член партии «Зелёные»",
        nominating_party="Зелёные",
        election_name="Выборы",
        election_day=date(2027, 9, 19),
        formation="Гавань",
        district_number=1,
        seats=1,
        declaration=Declaration(2026),
    )
    values.update(changes)
    return NominationData(**values)  # type: ignore[arg-type]


def texts(data: NominationData) -> dict[str, str]:
    return {
        kind: " ".join(
            " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split()
        )
        for kind, pdf in render_all(data)
    }


def test_the_forms_agree_with_a_woman_a_party_and_a_record() -> None:
    found = texts(sample())
    statement, sheet, inventory = found["statement"], found["signatures"], found["inventory"]
    assert "выдвинутым избирательным объединением «Зелёные»" in statement
    assert "не давала согласия" in statement and "ИНН — не присвоен" in statement
    assert "профессиональное образование — не имею" in statement
    assert "депутат на непостоянной основе — депутат МС МО Гавань" in statement
    assert "по одномандатному избирательному округу № 1" in statement
    assert "гражданки Российской Федерации Петровой Анны Ивановны, родившейся 01.02.1990" in (
        sheet
    )
    assert "работающей пенсионер, проживающей г. Санкт-Петербург" in sheet
    assert "Сведения о судимости: ч. 1 ст. 158 УК РФ, погашена 12.05.2015" in sheet
    assert "выдвижение избирательным объединением «Зелёные»" in sheet
    assert "Решение избирательного объединения «Зелёные» о выдвижении" in inventory
    assert "Справка об исполнении обязанностей депутата" in inventory
    assert "Копии документов о профессиональном образовании" not in inventory
    assert "нет" in found["declaration"]  # empty sections say so
    assert set(texts(sample(declaration=None))) == {"statement", "signatures", "inventory"}


def test_an_answer_beyond_the_compact_font_gets_the_whole_font() -> None:
    # The forms are set in a cut-down face; a character it lacks switches to the full one.
    found = texts(sample(birth_place="г. Σπάρτη, Греция", female=False))
    assert "место рождения — г. Σπάρτη, Греция" in found["statement"]
    assert "родившегося 01.02.1990" in found["signatures"]
