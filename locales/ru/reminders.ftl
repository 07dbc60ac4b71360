## Напоминания

reminder-open-quest = 🗺 Открыть квест
reminder-open-task = ▶️ Открыть задачу
reminder-deadline = ⏰ «{ $title }»: { $left } (срок — { $date }).
reminder-today = сегодня
reminder-on = { $date }
reminder-calendar = 📅 { $event } — { $when }. Что сделать к этому дню, подскажет квест.
reminder-nudge = { $days ->
        [one] Прошёл { $days } день
        [few] Прошло { $days } дня
       *[many] Прошло { $days } дней
    } без движения по квесту. Один маленький шаг сегодня — и кампания снова в пути.
reminder-stalled = Кандидат { $name }: { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[many] { $days } дней
    } без прогресса в квесте. Возможно, нужна помощь.

## /settings

settings-screen = <b>Напоминания</b>
    Нажмите на вид напоминаний, чтобы включить (🔔) или выключить (🔕) его.
    Тихие часы: { $quiet } — в это время бот молчит, а напоминания приходят утром.
settings-kind-deadline = Сроки задач
settings-kind-calendar = Даты выборов
settings-kind-nudge = Если квест стоит на месте
settings-kind-digest = Сводка дня (координаторам)
settings-kind-stalled = Кандидат без движения (координаторам)
settings-quiet-off = без тихих часов
settings-saved = Сохранено
cmd-settings = Напоминания и тихие часы
