## Сводка дня для координаторов (в пределах их зоны ответственности)

digest-head = <b>Сводка дня</b>
digest-waiting = Ждут проверки: { $count } — /pending
digest-questions-head = <b>Вопросы без ответа: { $count }</b> — /questions
digest-question = • №{ $id }, { $name } — { $days ->
        [0] сегодня
        [one] ждёт { $days } день
        [few] ждёт { $days } дня
       *[many] ждёт { $days } дней
    }
digest-no-questions = Вопросов без ответа нет.
digest-stalled-head = <b>Без движения { $days }+ { $days ->
        [one] день
        [few] дня
       *[many] дней
    }: { $count }</b> — /candidates stalled
digest-stalled = • { $name } — { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[many] { $days } дней
    }
digest-no-stalled = Все кандидаты двигались за последние { $days } { $days ->
        [one] день
        [few] дня
       *[many] дней
    }.
