## /broadcast: рассылка координаторов кандидатам

broadcast-header = 📣 <b>Сообщение координаторов</b>
broadcast-choose-segment = <b>Рассылка</b>
    Кому отправить? Получат только кандидаты в пределах ваших полномочий.
broadcast-seg-all = Всем кандидатам
broadcast-seg-stage = На этапе квеста…
broadcast-seg-org = Из организации…
broadcast-seg-mf = Из муниципального образования…
broadcast-seg-stalled = Без движения { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[many] { $days } дней
    } и дольше
broadcast-choose-stage = На каком этапе квеста кандидаты? (в скобках — сколько их)
broadcast-choose-org = Какая организация? (в скобках — сколько кандидатов)
broadcast-choose-mf = Какое муниципальное образование? (в скобках — сколько кандидатов)
broadcast-nobody = В этой группе нет кандидатов, которым вы можете написать.
broadcast-unknown-segment = Такой группы больше нет. Начните заново: /broadcast
broadcast-ask-text = Получатели: { $segment } — { $count }.
    Напишите текст сообщения одним сообщением (до { $limit } знаков). Оформление не сохраняется: текст уйдёт как есть. Выйти — /cancel
broadcast-empty = Пустое сообщение не отправить. Напишите текст.
broadcast-too-long = Слишком длинно: { $length } знаков, можно до { $limit }. Сократите, пожалуйста.
broadcast-text-only = Рассылка — только текст. Напишите сообщение или /cancel.
broadcast-preview = Так сообщение увидят получатели ({ $segment }: { $count }). Отправить?
broadcast-confirm = ✅ Отправить ({ $count })
broadcast-cancel = ✖️ Отмена
broadcast-cancelled = Рассылка отменена.
broadcast-queued = 📣 Рассылка поставлена в очередь: { $count ->
        [one] { $count } получатель
        [few] { $count } получателя
       *[many] { $count } получателей
    }. Сообщения уходят постепенно, в тихие часы — утром.
    Ход рассылки: /broadcast_status { $id }
broadcast-already = Эта рассылка уже отправлена. Ход: /broadcast_status { $id }
broadcast-status-usage = Укажите номер рассылки: /broadcast_status &lt;номер&gt;
broadcast-status-unknown = Рассылка { $id } не найдена.
broadcast-status = <b>Рассылка { $id }</b>
    Всего: { $total }
    Отправлено: { $sent }
    В очереди: { $pending }
    Не доставлено (бот заблокирован или устарело): { $dropped }
    Ошибки: { $failed }
cmd-broadcast = Рассылка кандидатам
cmd-broadcast-status = Ход рассылки

## Живой ход рассылки: это сообщение бот правит, пока рассылка идёт
broadcast-live = ⏳ <b>Рассылка { $id }: идёт отправка</b>
    Отправлено: { $sent } из { $total }
    Заблокировали бота: { $blocked }
    Не доставлено: { $failed }
    Осталось: { $pending }
broadcast-live-done = ✅ <b>Рассылка { $id } завершена</b>
    Отправлено: { $sent } из { $total }
    Заблокировали бота: { $blocked }
    Не доставлено: { $failed }
