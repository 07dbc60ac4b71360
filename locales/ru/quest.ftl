## Квест кампании

quest-register-first = Квест откроется после регистрации кандидата: /start
quest-stage-head = <b>Этап { $number } из { $total }: { $title }</b>
quest-points = ⭐ { $points } { $points ->
        [one] очко
        [few] очка
       *[many] очков
    } · уровень { $level }
quest-stages-head = <b>Все этапы кампании</b> · ⭐ { $points } · уровень { $level }
quest-button-about = ℹ️ Об этапе
quest-button-stages = 🗺 Все этапы
quest-button-back = ◀️ К этапу
quest-button-next = Далее ▶️
quest-button-read = ✅ Прочитал(а)
quest-button-request = 📨 Отправить координатору
quest-button-skip = Пропустить
quest-days-left = { $days ->
        [0] срок сегодня
        [one] остался { $days } день
        [few] осталось { $days } дня
       *[many] осталось { $days } дней
    }
quest-overdue = { $days ->
        [one] просрочено на { $days } день
        [few] просрочено на { $days } дня
       *[many] просрочено на { $days } дней
    }
quest-locked-after = сначала: «{ $what }»
quest-locked-window = откроется { $date }
quest-locked-date-unknown = откроется, когда комиссия объявит дату
quest-locked-approval = откроет координатор
quest-task-closed = Срок этой задачи прошёл — она закрыта.
quest-unknown-task = Такой задачи нет. Откройте /quest заново.
quest-nothing-to-approve = Здесь нечего подтверждать.
quest-page = Страница { $number } из { $total }
quest-checklist-hint = Отмечайте пункты по мере выполнения — задача засчитается, когда отмечены все.
quest-question = <b>Вопрос { $number } из { $total }.</b>
quest-example = Например: { $example }
quest-yes = Да
quest-no = Нет
quest-answer-required = Это обязательный вопрос — ответьте, пожалуйста.
quest-answer-too-long = Слишком длинно: не больше { $limit } символов.
quest-answer-number = Нужно целое число, например: 12
quest-answer-text = Ответьте текстом — или выйдите из анкеты командой /cancel (ответы сохранятся).
quest-upload-hint = Пришлите фото или PDF (до { $limit } МБ). Выйти: /cancel
quest-upload-expected = Здесь нужен файл: фото или PDF. Выйти: /cancel
quest-upload-kind = Такой тип файла не подходит: нужно фото или PDF.
quest-upload-too-big = Файл больше { $limit } МБ. Сожмите его или сфотографируйте заново.
quest-counter = Сейчас: { $count } из { $target } { $unit }
quest-counter-hint = Напишите, сколько добавить (например, 15), или «=120», чтобы указать итог. Выйти: /cancel
quest-count-range = Число должно быть от 0 до { $limit }.
quest-approval-requested = Отправлено координатору. Как только подтвердит — задача засчитается.
quest-waiting = ⏳ Ждёт проверки координатора.
quest-returned = ↩️ Координатор вернул задачу: { $comment }
quest-action-soon = Работа идёт в разделе «{ $action }»: { $command }. Задача засчитается сама, когда она будет сделана.
quest-action-documents = Документы
quest-action-fund = Избирательный фонд
quest-action-canvass = Поквартирный обход
quest-action-materials = Агитационные материалы
quest-action-supporters = Сторонники
quest-task-done = ✅ Готово: «{ $title }» (+{ $points })
quest-task-submitted = 📨 «{ $title }» отправлено на проверку координатору.
quest-opened = Открылось:
quest-reloaded = Квест перезагружен: { $stages } этапов, { $tasks } задач (версия { $version }).
quest-reload-failed = Квест НЕ перезагружен — работает прежний. Ошибок: { $count }.
    { $errors }
cmd-quest = Квест кампании
cmd-reload-quests = Перезагрузить квест
error-inn-format = ИНН — это 10 цифр (организация) или 12 цифр (человек).
error-inn-checksum = В ИНН ошибка: контрольные цифры не сходятся. Проверьте по свидетельству или на сайте ФНС.
error-snils-format = СНИЛС — это 11 цифр, например: 112-233-445 95
error-snils-checksum = В СНИЛС ошибка: контрольное число не сходится. Проверьте по карточке СНИЛС.
error-date-format = Дата пишется так: дд.мм.гггг, например: 07.03.1985
error-date-invalid = Такой даты нет в календаре. Проверьте день и месяц.

## Проверка задач координатором

review-empty = Ничего не ждёт проверки. 👍
review-list = Ждут проверки: { $count }. Откройте, чтобы посмотреть и решить:
review-card = <b>{ $name }</b> — «{ $task }»
review-approve = ✅ Принять
review-return = ↩️ Вернуть
review-ask-comment = Напишите кандидату, что исправить (одним сообщением):
review-gone = Эта задача уже проверена или недоступна.
review-done-approved = Принято. Кандидат получил уведомление.
review-done-returned = Возвращено с комментарием. Кандидат получил уведомление.
review-approved-notice = ✅ Координатор принял задачу «{ $title }».
review-returned-notice = ↩️ Координатор вернул задачу «{ $title }»: { $comment }
review-open-quest = Квест: /quest
cmd-pending = Задачи на проверку
quest-already-done = Эта задача уже выполнена.
button-menu-quest = 🗺 Квест кампании
