## Агитационные материалы: конструктор листовок (/materials), реестр тиражей, каталог (/resources)

cmd-materials = Листовки и реестр тиражей
cmd-resources = Проверенные дизайнеры и типографии
quest-action-print_runs = Реестр тиражей

materials-register-first = Конструктор листовок открыт зарегистрированным кандидатам: /start
materials-staff-only = Это могут делать только координаторы.
materials-gone = Этого больше нет или это не ваше. Откройте заново: /materials
materials-saved = ✅ Сохранено.
materials-text-expected = Пришлите, пожалуйста, текст одним сообщением. Выйти: /cancel
materials-too-long = Слишком длинно: { $length } знаков, можно до { $limit }. Сократите и пришлите ещё раз.
materials-too-many = Больше { $limit } не получится — удалите лишнее или обратитесь к координатору.
materials-too-many-versions = У этой листовки уже { $limit } версий. Начните новую листовку.
materials-current = Сейчас так:
    <i>{ $text }</i>

materials-menu = <b>Агитационные материалы</b>
    { $count ->
        [0] Листовок пока нет. Начнём первую?
        [one] У вас { $count } листовка.
        [few] У вас { $count } листовки.
       *[other] У вас { $count } листовок.
    }

    На каждом печатном материале — выходные данные (67-ФЗ, ст. 54); до распространения экземпляр сдаётся в комиссию. Бот следит и за тем, и за другим.
materials-button-new = 🆕 Новая листовка
materials-button-leaflet = 📄 Листовка №{ $number } · { $template }
materials-button-runs = 📦 Реестр тиражей
materials-button-resources = 🎨 Дизайнеры и типографии
materials-button-back = ◀️ К материалам
materials-button-back-card = ◀️ К листовке

materials-template-a5 = A5, односторонняя
materials-template-a4 = A4, двусторонняя
materials-template-door = Дорхэнгер 10×21 см (на дверную ручку)
materials-choose-template = Выберите шаблон. Его можно поменять потом — текст перестроится сам.
    • <b>A5</b> — классическая листовка в почтовый ящик;
    • <b>A4 с двух сторон</b> — больше места для программы;
    • <b>дорхэнгер</b> — вешается на ручку двери, с вырубкой под ручку.
materials-created = Листовка №{ $number } ({ $template }) создана. Соберём её по шагам.

materials-photo-rules = <b>Правила для фото</b> (67-ФЗ, ст. 54 и практика комиссий)
    • <b>Детей до 18 лет на фото быть не должно</b> — даже ваших собственных.
    • Другие узнаваемые люди — только с их <b>письменного согласия</b>; согласия сдаются в комиссию вместе с материалом.
    • Толпа, где никого нельзя узнать, допустима. Людей, нарисованных нейросетью, комиссия в 2025 году не приняла.

    Есть ли на фото, которое вы пришлёте, дети?
materials-button-no-children = Детей на фото нет
materials-button-children = На фото есть ребёнок
materials-no-children = Фото с детьми в агитации использовать нельзя, даже с согласия родителей. Выберите другое фото.
materials-ask-others = Есть ли на фото другие люди, которых можно узнать?
materials-button-only-me = На фото только я
materials-button-consent = Есть, их письменные согласия у меня
materials-button-no-consent = Есть, согласий нет
materials-need-consent = Без письменного согласия человека его изображение использовать нельзя. Возьмите согласие или выберите другое фото.
materials-consent-reminder = Хорошо. Не забудьте: согласия сдаются в комиссию вместе с экземпляром листовки.
materials-ask-photo = Пришлите фото: JPEG или PNG, до { $limit } МБ, не меньше { $side } пикселей по короткой стороне. Для лучшей печати отправьте его <b>файлом</b> (без сжатия). Выйти: /cancel
materials-photo-expected = Жду фото (JPEG или PNG, до { $limit } МБ). Выйти: /cancel
materials-photo-type = Это не JPEG и не PNG. Пришлите фото в одном из этих форматов.
materials-photo-too-big = Файл слишком большой: можно до { $limit } МБ (и не больше 50 мегапикселей). Уменьшите фото и пришлите ещё раз.
materials-photo-too-small = Фото слишком маленькое для печати: нужно хотя бы { $side } пикселей по короткой стороне.
materials-photo-broken = Этот файл не открывается как изображение (повреждён или это не фото). Пришлите другое.
materials-photo-saved = ✅ Фото сохранено (метаданные с него удалены).

materials-ask-bio = Напишите коротко о себе (до { $limit } знаков): кто вы, чем занимаетесь, чем связаны с районом. Абзацы — с новой строки. Выйти: /cancel
materials-ask-points = Напишите { $low }–{ $high } пунктов программы, каждый с новой строки (до { $limit } знаков в пункте). Выйти: /cancel
materials-ask-contacts = Как с вами связаться: телефон, сайт, соцсети, e-mail (до { $limit } знаков). Это будет напечатано на листовке. Выйти: /cancel
materials-points-count = Нужно от { $low } до { $high } пунктов, каждый с новой строки, а сейчас { $count }.
materials-point-too-long = Пункт { $number } слишком длинный: { $length } знаков, можно до { $limit }.

materials-part-photo = Фото
materials-part-bio = О себе
materials-part-points = Программа
materials-part-contacts = Контакты
materials-part-name = ФИО
materials-part-subtitle = Подпись под именем
materials-part-imprint = Выходные данные
materials-chars = { $count ->
        [one] { $count } знак
        [few] { $count } знака
       *[other] { $count } знаков
    }
materials-points-n = { $count ->
        [one] { $count } пункт
        [few] { $count } пункта
       *[other] { $count } пунктов
    }

materials-card-head = <b>Листовка №{ $number }</b> · { $template }
materials-card-consents = на фото есть другие люди: их согласия — в комиссию вместе с листовкой
materials-card-imprint-missing = Выходные данные: не хватает — { $fields }
materials-card-imprint-ok = Выходные данные заполнены
materials-card-versions = Файлов сделано: { $count }, последний — версия { $last } ({ $kind })
materials-card-hint = «Образец» можно сделать в любой момент; «Для печати» — когда заполнены выходные данные. Любую часть можно поменять и сделать файл заново.
materials-button-draft = 📄 Образец
materials-button-final = 🖨 Для печати
materials-button-edit-photo = 🖼 Фото
materials-button-edit-bio = ✍️ О себе
materials-button-edit-points = 📋 Программа
materials-button-edit-contacts = ☎️ Контакты
materials-button-imprint = 🧾 Выходные данные
materials-button-template = 📐 Шаблон
materials-button-versions = 🗂 Версии

materials-imprint-head = <b>Выходные данные</b> — так они будут напечатаны:
materials-imprint-hint = Заказчик — вы, кандидат; строка об оплате из избирательного фонда добавляется сама. Если типография — ИП, укажите «ИП Фамилия И. О.» и ИНН из 12 цифр.
materials-button-fill-imprint = 🧾 Заполнить выходные данные
materials-imprint-customer = заказчик (ФИО кандидата)
materials-imprint-printer-name = типография
materials-imprint-printer-address = адрес типографии
materials-imprint-printer-inn = ИНН типографии
materials-imprint-copies-name = тираж
materials-imprint-issued-on = дата выпуска
materials-ask-printer-name = Название типографии, как в договоре (например, ООО «Типография Нева» или ИП Петров П. П.). Выйти: /cancel
materials-ask-printer-address = Юридический адрес типографии с индексом (например, 190000, Санкт-Петербург, ул. Примерная, д. 1). Выйти: /cancel
materials-ask-printer-inn = ИНН типографии: 10 цифр у организации, 12 у ИП. Выйти: /cancel
materials-ask-copies = Тираж — сколько экземпляров напечатают (число, как в договоре). Выйти: /cancel
materials-ask-issued-on = Дата выпуска тиража в формате дд.мм.гггг. Выйти: /cancel
materials-imprint-name-short = Название слишком короткое — напишите его как в договоре.
materials-imprint-address-short = Нужен полный юридический адрес: город, улица и номер дома.
materials-imprint-copies = Тираж — целое число от 1 до { $limit }.
materials-imprint-complete = ✅ Выходные данные заполнены. Теперь можно сделать файл для печати.

materials-making = Собираю макет…
materials-missing-parts = Для файла не хватает: { $parts }. Добавьте их в карточке листовки.
materials-missing-imprint = Файл для печати без выходных данных сделать нельзя (67-ФЗ, ст. 54). Не хватает: { $fields }.

    Образец с пометкой «ОБРАЗЕЦ» можно сделать и сейчас.
materials-does-not-fit = «{ $part }» не помещается в шаблон даже самым мелким допустимым шрифтом. Сократите примерно на { $excess } знаков или выберите шаблон побольше (A4).
materials-file-draft = 📄 Листовка №{ $number }, версия { $version } — ОБРАЗЕЦ, не для печати.
materials-file-final = 🖨 Листовка №{ $number }, версия { $version } — файл для печати (с вылетами 3 мм). Перед распространением сдайте экземпляр в комиссию и внесите тираж в реестр.
materials-preview = Так листовка выглядит после обрезки (версия { $version }).
materials-draft = образец
materials-final = для печати
materials-file-again = Версия { $number } ({ $kind })
materials-versions-head = <b>Версии листовки №{ $number }</b>, последние сверху:
materials-version = • версия { $number } — { $kind }, { $date }
materials-button-file = 📎 Версия { $number } ({ $kind })
materials-button-run = 📦 Внести тираж версии { $number } в реестр

materials-ask-cost = Тираж листовки №{ $number }, версия { $version }: { $copies } экз., выпуск { $date } — как в выходных данных.

    Сколько он стоил из избирательного фонда, в рублях (например, 12 500 или 12 500,50)? Выйти: /cancel
materials-cost-format = Напишите сумму в рублях числом, например 12 500 или 12 500,50.
materials-run-needs-final = В реестр вносится только файл для печати, не образец.
materials-run-exists = Этот тираж уже в реестре. Для допечатки сделайте новый файл с новой датой и тиражом.
materials-run-saved = ✅ Тираж №{ $number } внесён в реестр, { $cost } ₽ из фонда.
materials-runs-empty = В реестре пока нет тиражей. Тираж вносится из файла для печати: листовка → «Версии» → «Внести тираж».
materials-runs-head = <b>Реестр тиражей</b> ({ $count })
materials-run = <b>№{ $number }</b> · { $item } · { $template }
    { $copies } экз. · выпуск { $date }
    Изготовитель: { $printer }
    Из избирательного фонда: { $cost } ₽
    { $mark } Экземпляр сдан в комиссию до распространения
materials-runs-total = Всего из фонда на печать: <b>{ $cost } ₽</b>
materials-runs-warning = ⚠️ Тираж без отметки о сдаче в комиссию распространять нельзя.
materials-button-tick = { $mark } №{ $number }: экземпляр сдан в комиссию
materials-reminder = 📦 Тираж «{ $item }» ({ $copies } экз., выпуск { $date }) ещё не отмечен как сданный в комиссию. Распространять его можно только после сдачи экземпляра (67-ФЗ, ст. 54).
materials-button-reminder-tick = ☑️ Экземпляр сдан

materials-res-head = <b>Проверенные дизайнеры и типографии</b> — их рекомендуют координаторы.
materials-res-designers = Дизайнеры
materials-res-printers = Типографии
materials-res-none = пока никого
materials-res-staff-hint = Добавить — кнопками ниже; ✏️ изменить, 🗑 удалить запись.
materials-res-add-designer = ➕ Дизайнер
materials-res-add-printer = ➕ Типография
materials-res-ask-name = Название или имя (до 120 знаков). Выйти: /cancel
materials-res-ask-contact = Контакты: телефон, сайт, Telegram (до 300 знаков). Выйти: /cancel
materials-res-ask-note = Короткое описание: что делают, цены, сроки (до 500 знаков). Без описания — пришлите «-». Выйти: /cancel
materials-res-edit = Что изменить у «{ $name }»?
materials-res-field-name = Название
materials-res-field-contact = Контакты
materials-res-field-note = Описание
materials-res-ask-field = Новое значение поля «{ $field }». Выйти: /cancel
materials-res-confirm-delete = Удалить «{ $name }» из каталога?
materials-res-button-delete = 🗑 Да, удалить
materials-res-deleted = Удалено.

privacy-materials = Листовки: { $leaflets }, тиражи в реестре: { $runs } (тексты и фото зашифрованы)
