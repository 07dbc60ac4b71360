## Справочник кандидатов для координаторов

directory-filter-usage = Фильтры: org:&lt;код организации&gt;, mf:&lt;МО&gt;, stalled (без движения неделю и дольше). Например: /candidates org:civic stalled
directory-find-usage = Напишите имя (или его часть), телефон или номер: /candidate Иванова
directory-no-usernames = Имена пользователей Telegram Штаб не хранит. Ищите по имени, телефону или номеру.
directory-idle = { $days ->
        [0] активен сегодня
        [one] без движения { $days } день
        [few] без движения { $days } дня
       *[many] без движения { $days } дней
    }
directory-list = <b>Кандидаты: { $count }</b> (стр. { $page } из { $pages }); сначала те, кто дольше без движения:
directory-empty = Никого не нашлось.
directory-not-found = Такого кандидата нет — или он вне вашей зоны.
directory-card =
    <b>{ $name }</b>
    Организация: { $organisation }
    Округ: { $district }
    Этап { $stage_number } из { $stages }: { $stage }
    Задач выполнено: { $done } из { $tasks } · ⭐ { $points }
    Дней без движения: { $idle }
    Ждут вашей проверки: { $waiting } (/pending)
    Телефон: { $phone }
    E-mail: { $email }
directory-write = ✉️ Написать кандидату
directory-ask-message = Напишите сообщение — оно уйдёт кандидату от имени координаторов. Выйти: /cancel
directory-message-header = ✉️ <b>Сообщение от координатора</b>
directory-delivered = Отправлено.
directory-not-delivered = Не удалось доставить: кандидат, похоже, заблокировал бота.
cmd-candidates = Кандидаты: список и фильтры
cmd-candidate = Карточка кандидата
directory-open-item = 👁 { $title }
