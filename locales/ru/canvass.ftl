## Поквартирный обход (/canvass): волонтёры, заметки у дверей, сводка, GOTV

cmd-canvass = Поквартирный обход: заметки и сводка
cmd-canvass-flags = Обход: подозрительные заметки кандидатов
cmd-import-addresses = Загрузить адресный список округа (CSV)
settings-kind-gotv = Списки сторонников перед выборами

canvass-outcome-no_answer = 🚪 Не открыли
canvass-outcome-refused = 🙅 Отказались говорить
canvass-outcome-supporter = 👍 Сторонник
canvass-outcome-undecided = 🤔 Колеблется
canvass-outcome-against = 👎 Против
canvass-outcome-later = ⏰ Прийти позже

canvass-topic-yards = Дворы
canvass-topic-transport = Транспорт
canvass-topic-housing = ЖКХ
canvass-topic-parking = Парковка
canvass-topic-greenery = Озеленение
canvass-topic-safety = Безопасность
canvass-topic-social = Поликлиники и школы
canvass-topic-other = Другое

canvass-flag-fast = слишком быстро (много дверей за минуту)
canvass-flag-far = геопозиция в { $metres } м от дома

canvass-invite-invalid = Эта ссылка для волонтёров больше не действует. Попросите кандидата прислать новую.
canvass-invite-own = Это ваша собственная ссылка для волонтёров — отправьте её тем, кто будет ходить с вами. Обход: /canvass
canvass-volunteer-consent = 👋 Вас приглашают в команду обхода кандидата <b>{ $candidate }</b>.

    Для работы волонтёром бот сохранит только ваше отображаемое имя (можно псевдоним) и ваши заметки обхода. Телефон не нужен. Данные видит только этот кандидат; удалить всё можно командой /forget_me.

    Согласны на обработку этих данных?
canvass-button-agree = ✅ Согласен(на)
canvass-button-decline = Нет
canvass-volunteer-welcome = 👋 Вас приглашают в команду обхода кандидата <b>{ $candidate }</b>.
canvass-ask-display-name = Как вас подписывать в команде? Напишите имя — можно псевдоним (до 40 знаков).
canvass-name-invalid = Нужно имя буквами, до { $limit } знаков. Попробуйте ещё раз.
canvass-joined = ✅ Вы в команде кандидата { $candidate }. Обход — только в его округе.

    Заметка у двери: «Новая заметка», или одной строкой, например:
    <code>Ленина 5 кв 12 сторонник двор</code>
canvass-volunteer-home = 🚪 <b>Обход</b>. Начните заметку кнопкой или пришлите одной строкой, например: <code>Ленина 5 кв 12 сторонник двор</code>
canvass-no-campaign = Обход доступен кандидату после регистрации (с выбранным округом) и волонтёрам по ссылке-приглашению кандидата.
canvass-candidate-only = Это доступно только кандидату.
canvass-staff-only = Эта команда — для координаторов.
canvass-gone = Недоступно.
canvass-stale = Эта кнопка уже неактуальна. Начните заново: /canvass
canvass-you = вы

canvass-button-new-note = 🚪 Новая заметка
canvass-button-last = 🏠 { $address }
canvass-button-no-apartment = Без квартиры
canvass-button-other-building = 🏠 Другой дом
canvass-button-next = ➡️ Следующая квартира
canvass-button-add-review = ➕ Добавить «{ $address }» (на проверку)
canvass-button-contact = 📇 Контакт жителя
canvass-button-note = 📝 Заметка / 🎤
canvass-button-follow-up-on = 🔁 Вернуться: да
canvass-button-follow-up-off = 🔁 Вернуться: нет
canvass-button-save = ✅ Сохранить
canvass-button-resident-agrees = ✅ Житель согласен
canvass-button-back = ◀️ Назад
canvass-button-confirm = ✅ Верно
canvass-button-confirm-consent = ✅ Верно, житель согласен на контакт
canvass-button-confirm-no-contact = ✅ Верно, но без контакта
canvass-button-edit = ✏️ Исправить
canvass-button-cancel = ❌ Отменить

canvass-ask-building = Какой дом? Напишите адрес (например «Ленина 5» или «Ленина 5к2»), пришлите геопозицию 📍 или выберите последний дом.
canvass-building-options = Дома «{ $typed }» в списке округа нет. Может быть, один из этих?
canvass-building-not-found = Дома «{ $typed }» в списке округа не нашлось. Проверьте улицу и номер дома или пришлите геопозицию.
canvass-not-in-district = Этот дом не в вашем округе.
canvass-building-review = ⚠️ Адреса нет в списке округа: он добавлен и ждёт проверки.
canvass-location-found = 📍 Ближайший дом: { $address } ({ $metres } м).
canvass-location-far = 📍 Ближайший дом из списка — { $address }, но до него { $metres } м. Заметки отметятся для проверки; если вы у другого дома, напишите его адрес.
canvass-location-nothing = В списке округа нет домов с координатами. Напишите адрес.
canvass-history = 🕘 <b>{ $address }</b>: здесь уже были ({ $count }), сначала последние:
canvass-history-line = • кв. { $apartment } — { $outcome } ({ $date })
canvass-ask-apartment = 🏠 <b>{ $address }</b> (квартир: { $apartments }). Номер квартиры?
canvass-apartment-invalid = Номер квартиры — число, например 12 или 12а. Пришлите ещё раз.
canvass-apartment-too-big = В доме { $address } всего { $apartments } кв., квартиры { $number } нет. Проверьте номер.
canvass-ask-outcome = Кв. { $apartment }: чем закончилось?
canvass-press-outcome = Выберите итог кнопкой.
canvass-expected-text = Пришлите, пожалуйста, текст (или геопозицию для выбора дома).
canvass-use-buttons = Выберите кнопкой ниже или /cancel.
canvass-outcome-missing = Сначала выберите итог.

canvass-draft = 🏠 <b>{ $address }</b>, кв. { $apartment }
    Итог: { $outcome }
canvass-draft-topics = Темы: { $topics }
canvass-draft-contact = 📇 Контакт (с согласия): { $name }, { $phone }
canvass-draft-note = 📝 { $note }
canvass-draft-voice = 🎤 Голосовая заметка
canvass-draft-follow-up = 🔁 Вернуться позже
canvass-draft-hint = Отметьте темы, добавьте контакт или заметку — или сразу «Сохранить».
canvass-contact-consent = Контакт записываем <b>только с явного согласия жителя</b>: он знает, что кандидат свяжется с ним перед выборами, и может в любой момент попросить удалить номер. Житель согласен?
canvass-ask-contact-name = Имя жителя (как он представился)?
canvass-contact-name-invalid = Нужно имя буквами. Пришлите ещё раз.
canvass-ask-contact-phone = Телефон жителя?
canvass-contact-phone-invalid = Не похоже на номер телефона. Пример: +7 911 123-45-67.
canvass-ask-note = Напишите заметку (до { $limit } знаков) или запишите голосовое сообщение.
canvass-note-empty = Заметка пустая. Напишите текст или запишите голосовое.
canvass-note-too-long = Слишком длинно: { $length } знаков, можно до { $limit }.
canvass-saved = ✅ Записано: { $address }, кв. { $apartment } — { $outcome }.
    Следующая квартира — пришлите номер или нажмите кнопку.

canvass-line-parsed = Понял так — верно?
canvass-line-no-address = Не вижу адреса в начале строки. Пример: <code>Ленина 5 кв 12 сторонник</code>
canvass-line-no-outcome = Не вижу итога: сторонник, колеблется, против, отказ, не открыли или позже.
canvass-line-bad-phone = «{ $phone }» не похоже на номер телефона.
canvass-line-unknown-address = Дома «{ $address }» нет в списке округа.
canvass-line-cancelled = ❌ Заметка отменена.
canvass-already-confirmed = Эта заметка уже сохранена.

canvass-summary = 🚪 <b>Обход округа</b>
    Домов обойдено: { $visited } из { $buildings } · квартир в списке: { $apartments }
    Дверей: { $doors } · заметок: { $notes }
    Контактов с согласием: { $contacts } · вернуться: { $follow_ups } · на проверку: { $flagged }
canvass-summary-outcomes = <b>Итоги</b> (последняя отметка у каждой двери):
canvass-summary-topics = <b>Темы:</b>
canvass-summary-coverage = <b>Охват домов</b> (квартир обойдено / всего):
canvass-summary-activity = <b>Команда</b> (заметок всего / за неделю):
canvass-activity-line = • { $name }: { $notes } / { $week } · ⚠️ { $flagged }
canvass-summary-review = ⚠️ Адресов на проверке: { $count }.
canvass-chart-title = Итоги обхода
canvass-chart-doors = Двери
canvass-chart-caption = Итоги обхода по дверям.
canvass-button-follow-ups = 🔁 Вернуться ({ $count })
canvass-button-gotv = 🗳 Список GOTV
canvass-button-flags = ⚠️ Проверка ({ $count })
canvass-button-volunteers = 👥 Волонтёры и ссылка
canvass-button-export-xlsx = 📥 Экспорт XLSX
canvass-button-export-csv = 📥 CSV
canvass-button-upload = 🏠 Загрузить адреса (CSV)

canvass-follow-ups = 🔁 <b>Куда вернуться</b> ({ $count }):
canvass-follow-up-line = • { $address }, кв. { $apartment } — { $outcome } ({ $date })
canvass-follow-ups-empty = Возвращаться пока никуда не нужно.
canvass-button-done = ✅ { $address }
canvass-follow-up-done = Отмечено.

canvass-gotv-head = 🗳 <b>Сторонники с согласием на связь</b>: { $count }
canvass-gotv-push = 🗳 До выборов { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[other] { $days } дней
    }. Пора напомнить сторонникам — до «дня тишины».
canvass-gotv-station = <b>Участок { $station }</b>
canvass-gotv-person = { "   " }кв. { $apartment } · { $name } · { $phone }
canvass-gotv-more = … полный список — в экспорте (/canvass → Экспорт).
canvass-gotv-empty = Сторонников с согласием на связь и телефоном пока нет.

canvass-flags = ⚠️ <b>Заметки на проверку</b> ({ $count }):
canvass-flag-line = • { $at } · { $volunteer } · { $address }, кв. { $apartment } — { $reasons }
canvass-flags-empty = Подозрительных заметок нет.
canvass-staff-flags = ⚠️ <b>Обход: заметки на проверку по кандидатам</b>
canvass-staff-flag-line = • { $name }: { $count }

canvass-volunteers = 👥 <b>Волонтёры</b>: { $count }
    Ссылка-приглашение (только для вашей команды):
    { $link }
canvass-button-remove = ✖ { $name }
canvass-button-new-link = 🔄 Новая ссылка (старая перестанет работать)
canvass-volunteer-removed = Волонтёр убран из команды.

canvass-export-header = Дата|Волонтёр|Адрес|Квартира|Участок|Итог|Темы|Вернуться|Имя жителя|Телефон жителя|Согласие|Заметка|Проверка
canvass-export-sheet = Обход
canvass-export-caption = Заметки обхода: { $count }. Файл содержит персональные данные — не пересылайте его.
canvass-export-empty = Заметок пока нет.

canvass-upload-prompt = Пришлите CSV-файл адресного списка округа. Столбцы: street (улица), house (дом), building (корпус), apartments (квартир), и по желанию latitude, longitude (координаты), polling_station (участок). Выйти: /cancel
canvass-upload-not-csv = Нужен файл .csv.
canvass-upload-too-big = Файл больше { $limit } МБ.
canvass-import-usage = Формат: /import_addresses Муниципальное образование Номер округа, например: /import_addresses Гавань 2
canvass-unknown-district = Такого округа нет (или он вне вашей зоны).
canvass-import-empty = Файл пустой.
canvass-import-header = В первой строке нужны названия столбцов, как минимум street и house (или «улица» и «дом»).
canvass-import-too-many = Слишком много строк: можно до { $limit }.
canvass-import-summary = 🏠 Адресный список загружен: строк { $rows }, новых домов { $added }, обновлено { $updated }.
    На проверку: { $review } · уже в другом округе: { $other }.
canvass-import-review-lines = Строки на проверку: { $lines }
canvass-privacy = Обход: волонтёр в командах — { $teams }, ваших заметок — { $notes } (отображаемое имя зашифровано; после /forget_me заметки останутся у кандидата без вашего имени)
canvass-button-erase = 🗑 Удалить контакт жителя
canvass-erase-prompt = Житель отозвал согласие? Пришлите его телефон — имя и номер будут удалены из всех заметок (отметки у дверей останутся без них). Выйти: /cancel
canvass-erased = Готово: контакт удалён из заметок ({ $count }).
canvass-coverage-sheet = Дома
canvass-coverage-header = Адрес|Участок|Квартир|Обойдено дверей|Охват, %|Проверка
canvass-coverage-review = адрес на проверке
canvass-export-how = Как выгрузить? В файле телефоны и заметки о жителях: по умолчанию — зашифрованный архив, пароль покажем один раз. Перед выгрузкой бот спросит PIN (задать: /pin).
canvass-button-mode-encrypted = 🔒 Зашифрованный архив (рекомендуем)
canvass-button-mode-pseudo = 🎭 Обезличенно (без имён, квартир и заметок)
canvass-button-mode-plain = ⚠️ Без шифрования
