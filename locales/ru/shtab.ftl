## Shtab — русский каталог. Тексты уходят с parse_mode=HTML; аргументы экранируются кодом.

greeting =
    Здравствуйте! Я <b>Штаб</b> — помощник кандидатов коалиции на муниципальных выборах.
    Проведу вас по кампании шаг за шагом: документы, избирательный фонд, агитация, встречи с избирателями.
welcome-back = С возвращением! Продолжим с того места, где остановились.
invite-organisation = Вас пригласила организация «{ $name }».

## Согласие на обработку персональных данных (152-ФЗ)

consent-request =
    <b>Согласие на обработку персональных данных</b>

    Чтобы зарегистрировать вас как кандидата, Штабу нужно хранить ваши ФИО, телефон, e-mail (по желанию), организацию и избирательный округ.
    Данные видят только координаторы вашей организации и администраторы коалиции. Телефон и e-mail хранятся в зашифрованном виде.
    Согласие можно отозвать в любой момент командой /forget_me — все данные будут удалены.

    До вашего согласия я ничего о вас не сохраняю.
button-consent-agree = ✅ Согласен(на) на обработку данных
button-consent-decline = Не согласен(на)
consent-declined =
    Понимаю. Без согласия я не могу ничего сохранить, поэтому регистрация невозможна.
    Если передумаете — напишите /start. Что я храню и кто это видит: /privacy
consent-thanks = Спасибо! Начнём регистрацию.

## Регистрация

ask-full-name =
    <b>Шаг 1 из 5.</b> Напишите ваши фамилию, имя и отчество (если есть) — так, как в паспорте.
    Например: <i>Иванова Мария Сергеевна</i>
ask-phone =
    <b>Шаг 2 из 5.</b> Поделитесь номером телефона кнопкой «Поделиться контактом» внизу.
    Так номер будет точно ваш и без опечаток.
phone-saved = Телефон сохранён.
ask-email =
    <b>Шаг 3 из 5.</b> Напишите e-mail для документов и рассылок — или пропустите этот шаг.
    Например: <i>maria@example.ru</i>
ask-organisation = <b>Шаг 4 из 5.</b> Выберите организацию коалиции, от которой вы идёте:
organisation-from-invite = Организация: «{ $name }» (по приглашению). Изменить можно будет в карточке перед подтверждением.
ask-formation =
    <b>Шаг 5 из 5.</b> В каком муниципальном образовании вы баллотируетесь?
    Напишите часть названия, например: <i>Гавань</i> или <i>Сосновское</i>.
formation-matches =
    { $count ->
        [one] Нашлось { $count } муниципальное образование:
        [few] Нашлось { $count } муниципальных образования:
       *[many] Нашлось { $count } муниципальных образований:
    }
formation-too-many = Показаны первые { $shown } — уточните название, если нужного нет.
formation-not-found = Не нашёл такого муниципального образования. Попробуйте иначе — достаточно нескольких букв из названия.
ask-district =
    { $formation }: { $count ->
        [one] { $count } избирательный округ
        [few] { $count } избирательных округа
       *[many] { $count } избирательных округов
    }. Выберите ваш:
button-district =
    Округ №{ $number } — { $seats ->
        [one] { $seats } мандат
        [few] { $seats } мандата
       *[many] { $seats } мандатов
    }
summary-intro = Проверьте данные. Если что-то не так — исправьте кнопкой, затем подтвердите.
card =
    <b>Карточка кандидата</b>
    ФИО: { $full_name }
    Телефон: { $phone }
    E-mail: { $email }
    Организация: { $organisation }
    Округ: { $district }
card-district-value =
    { $formation } ({ $admin_district } р-н), округ №{ $number }, { $seats ->
        [one] { $seats } мандат
        [few] { $seats } мандата
       *[many] { $seats } мандатов
    }
card-missing = — не указано —
card-email-skipped = не указан
button-edit-full-name = ✏️ ФИО
button-edit-phone = ✏️ Телефон
button-edit-email = ✏️ E-mail
button-edit-organisation = ✏️ Организация
button-edit-district = ✏️ Округ
button-confirm = ✅ Всё верно, подтвердить
button-share-contact = 📱 Поделиться контактом
button-skip-email = Пропустить
registration-done =
    🎉 Готово! Вы зарегистрированы в Штабе.
    Дальше — кампания по шагам: /quest. Главное меню: /menu

## Ошибки ввода: что не так и что ожидается

error-name-empty = Напишите фамилию, имя и отчество текстом.
error-name-too-long = Слишком длинно: не больше { $limit } символов. Напишите только фамилию, имя и отчество.
error-name-parts = Нужны фамилия и имя, и отчество, если оно есть, — от двух до пяти слов. Например: <i>Иванова Мария Сергеевна</i>
error-name-characters = В ФИО могут быть только буквы, дефис и апостроф — без цифр и знаков. Например: <i>Петрова-Водкина Анна</i>
error-name-mixed = В слове «{ $part }» смешаны русские и латинские буквы. Наберите его в одной раскладке.
error-expected-name = Здесь я жду ФИО, набранное текстом. Например: <i>Иванова Мария Сергеевна</i>
error-phone-use-button = Нажмите кнопку «📱 Поделиться контактом» внизу экрана — набирать номер не нужно.
error-phone-not-own = Это чужой контакт. Нужен ваш собственный номер — нажмите «📱 Поделиться контактом».
error-phone-invalid = Этот номер не похож на действующий. Поделитесь контактом с номером, который у вас работает.
error-email-invalid = Это не похоже на e-mail. Ожидается адрес вида <i>name@example.ru</i> — или нажмите «Пропустить».
error-use-buttons = Пожалуйста, выберите вариант кнопкой под сообщением.
error-formation-query-short = Напишите хотя бы { $minimum } буквы из названия.
error-formation-query-long = Слишком длинно для названия. Напишите его часть, например: <i>Гавань</i>
error-no-election = Выборы ещё не настроены. Координаторы уже знают — попробуйте позже.
error-stale-choice = Этот вариант больше недоступен. Выберите из нового списка.
error-consent-first = Сначала нужно согласие на обработку данных: /start
error-registration-incomplete = Не все данные заполнены — продолжим с первого незаполненного.
error-internal = Простите, что-то пошло не так. Ваши данные сохранены. Вернуться в меню: /menu
stale-button = Эта кнопка устарела. Откройте меню: /menu
unknown-command = Не знаю такой команды. Список команд: /help
not-understood = Не понял вас. Главное меню: /menu, помощь: /help
use-buttons-here = Здесь ответ — кнопка под сообщением выше. Главное меню: /menu

## Меню и общие команды

menu-title = <b>Главное меню</b>
menu-candidate = Вы зарегистрированы как кандидат. Кампания по шагам — в квесте: /quest
menu-not-registered = Регистрация ещё не завершена.
menu-staff = Вы координатор или администратор: команды — /help
button-menu-continue = ▶️ Продолжить регистрацию
button-menu-privacy = 🔒 Мои данные
button-menu-language = 🌐 Язык / Language
button-menu-help = ❓ Помощь
cancelled = Диалог прерван. Всё, что вы уже ввели, сохранено. Продолжить: /start, меню: /menu
nothing-to-cancel = Сейчас нечего отменять. Меню: /menu
help =
    <b>Команды</b>
    /start — начать или продолжить регистрацию
    /quest — квест кампании: этапы и задачи
    /ask — задать вопрос координаторам
    /faq — ответы на частые вопросы
    /team — команда вашего округа: кандидаты коалиции рядом с вами
    /settings — напоминания и тихие часы
    /menu — главное меню
    /cancel — выйти из текущего диалога (введённое сохранится)
    /language — язык
    /privacy — какие данные хранятся и кто их видит
    /forget_me — удалить все мои данные
help-staff =
    <b>Для координаторов</b>
    /pending — задачи кандидатов, которые ждут вашей проверки
    /questions — вопросы кандидатов
    /stats — воронка кампании · /map — карта коалиции по округам
    /candidates, /candidate — кандидаты и их карточки
    /broadcast — рассылка · /export candidates — выгрузка
    /pin — PIN для опасных действий
help-admin =
    <b>Администратору</b>
    /grant_coordinator &lt;id&gt; [org:&lt;код&gt;] [mf:"&lt;МО&gt;"] — назначить координатора
    /revoke_coordinator &lt;id&gt; — снять роль координатора
    /election — выборы: даты, округа, лимиты
    /election_set &lt;ключ&gt; &lt;значение&gt; — изменить дату или число
    /reload_quests — перечитать файлы квеста без перезапуска
    /audit [id] — журнал доступа · /pin_reset &lt;id&gt; — сбросить PIN
    /wipe — экстренно уничтожить ключи (нужны два администратора)
ask-language = Выберите язык / Choose your language:
language-set = Готово: общаемся по-русски.

## Приватность

privacy-nothing = Я ничего о вас не храню: вы не давали согласия на обработку данных.
privacy-stored =
    <b>Что хранится о вас</b>
    Согласие дано: { $consent_at }
    Язык: { $locale }
    ФИО: { $full_name }
    Телефон (зашифрован): { $phone }
    E-mail (зашифрован): { $email }
    Организация: { $organisation }
    Округ: { $district }
    Роли: { $roles }
privacy-policy =
    <b>Кто видит ваши данные</b>: координаторы вашей организации и администраторы коалиции. Другие кандидаты их не видят — кроме команды вашего округа, если вы в неё вступили (/team): там видны имя и организация, а контакт в Telegram — только если вы разрешили. Каждый просмотр и выгрузка записываются в журнал.
    Удалить всё: /forget_me
forget-confirm-1 = Удалить все ваши данные из Штаба? Регистрацию и прогресс нельзя будет восстановить.
forget-confirm-2 = Точно? Это необратимо: ФИО, телефон, e-mail, округ и вся история будут удалены навсегда.
button-forget-yes = Да, удалить
button-forget-final = 🗑 Удалить навсегда
button-forget-keep = Нет, оставить
forget-kept = Хорошо, ничего не удаляю.
forget-done = Готово: все ваши данные удалены. Если захотите вернуться — /start.

## Администрирование

grant-usage = Формат: /grant_coordinator &lt;id пользователя&gt; [org:&lt;код организации&gt;]… [mf:"&lt;название МО&gt;"]…
grant-done = Пользователь { $user_id } назначен координатором ({ $scopes ->
        [0] вся коалиция
        [one] { $scopes } область
        [few] { $scopes } области
       *[many] { $scopes } областей
    }).
revoke-usage = Формат: /revoke_coordinator &lt;id пользователя&gt;
revoke-done = У пользователя { $user_id } снята роль координатора (записей: { $count }).
error-grant-unknown-user = Пользователь { $user_id } ещё не давал согласия в боте — назначить роль нельзя. Попросите его написать боту /start.
error-grant-unknown-organisation = Нет организации с кодом «{ $code }».
error-grant-unknown-formation = Нет муниципального образования «{ $name }» в текущих выборах.
error-districts-columns = В файле нет столбцов: { $missing }.
error-districts-number = Строка { $line }: номер округа и число мандатов (1–5) должны быть числами.
error-election-unknown = Выборы «{ $code }» не найдены: для новых выборов укажите --name и --date.

## Меню команд Telegram

cmd-start = Начать / продолжить регистрацию
cmd-menu = Главное меню
cmd-help = Помощь и команды
cmd-language = Язык / Language
cmd-privacy = Мои данные и кто их видит
cmd-forget-me = Удалить мои данные
cmd-cancel = Выйти из диалога
cmd-admin = Команды администратора
cmd-grant-coordinator = Назначить координатора
cmd-revoke-coordinator = Снять координатора

## Служебное

tasks-count =
    { $count ->
        [one] { $count } задача
        [few] { $count } задачи
       *[many] { $count } задач
    }
role-admin = администратор
role-coordinator = координатор
role-candidate = кандидат
role-volunteer = волонтёр
role-supporter = сторонник

## Выборы: календарь и параметры (/election, /election_set)

cmd-election = Текущие выборы: даты и параметры
cmd-election-set = Изменить дату или параметр выборов
election-event-election-day = День голосования
election-event-nomination-opens = Начало выдвижения
election-event-nomination-closes = Конец выдвижения
election-event-registration-docs-due = Документы на регистрацию — до
election-event-campaign-opens = Начало агитации
election-event-campaign-closes = Конец агитации
election-event-final-report-due = Итоговый финансовый отчёт — до
election-config-signature-percent = Подписи, % от числа избирателей округа (делится на число мандатов)
election-config-signature-min = Подписей не меньше
election-config-signature-extra-percent = Сверх нужного можно сдать, %
election-config-signature-extra-small = Сверх нужного при малом числе подписей
election-config-signature-small-threshold = «Малое число» подписей — меньше
election-config-fund-limit-rub = Предельный размер избирательного фонда, ₽
election-config-donation-cap-citizen-rub = Пожертвование гражданина — не больше, ₽
election-config-donation-cap-legal-rub = Пожертвование юридического лица — не больше, ₽
election-config-donation-return-days = Вернуть незаконное пожертвование за, дней
election-value-unset = не задано
election-card-title = <b>{ $name }</b>
    Код: <code>{ $code }</code>
election-card-day = День голосования: <b>{ $day }</b>
election-card-note = <i>{ $note }</i>
election-card-calendar = <b>Календарь</b>
election-card-line = { $label }: { $value } — <code>{ $key }</code>
election-card-line-default = { $label }: { $value } (по умолчанию) — <code>{ $key }</code>
election-card-districts = Муниципальных образований: { $formations }, избирательных округов: { $districts }, мандатов: { $seats }.
election-card-config = <b>Параметры</b> (правила о подписях взяты из непроверенного источника — сверьте с избирательной комиссией)
election-card-samples = <b>Подписи для регистрации, примеры</b>
election-card-sample = { $formation }, округ № { $number } ({ $seats ->
        [one] { $seats } мандат
        [few] { $seats } мандата
       *[many] { $seats } мандатов
    }, избирателей: { $voters }): нужно { $required }, сдать можно не больше { $maximum }
election-card-sample-unknown = { $formation }, округ № { $number } ({ $seats ->
        [one] { $seats } мандат
        [few] { $seats } мандата
       *[many] { $seats } мандатов
    }): число избирателей неизвестно
election-card-hint = Изменить: /election_set &lt;параметр&gt; &lt;значение&gt;, например <code>/election_set nomination_closes 12.07.2027</code>. Даты — ДД.ММ.ГГГГ; значение «-» очищает параметр.
election-set-usage = Формат: /election_set &lt;параметр&gt; &lt;значение&gt; (дата ДД.ММ.ГГГГ или число; «-» очищает). Параметры: { $keys }
election-set-done = Сохранено. { $label } (<code>{ $key }</code>): было { $old }, стало <b>{ $new }</b>.
error-election-none = Текущие выборы не заданы. Загрузите их командой: python -m bot import-election ФАЙЛ.toml --current
error-election-key = Нет параметра «{ $key }». Можно: { $keys }
error-election-date = «{ $value }» — не дата. Напишите дату как ДД.ММ.ГГГГ, например 12.07.2027.
error-election-integer = { $key }: «{ $value }» — не целое число.
error-election-number = { $key }: «{ $value }» — не число.
error-election-range = { $key }: значение должно быть от { $min } до { $max }.
error-election-cap-over-limit = Предельное пожертвование не может быть больше предельного размера избирательного фонда.
error-election-order = Даты не по порядку: { $earlier } ({ $earlier_date }) должно быть не позже { $later } ({ $later_date }).
error-election-day-required = День голосования нельзя очистить, только заменить другой датой.
error-election-file-read = Не удалось прочитать { $path }: { $reason }
error-election-file-field = { $path }: поле { $field }: { $reason }
