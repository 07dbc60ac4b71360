## Статистика и карта коалиции для координаторов (/stats, /map)

cmd-stats = Статистика кандидатов
cmd-map = Карта коалиции по округам

stats-scope-all = вся коалиция
stats-scope-own = ваша зона ответственности
stats-head = <b>Статистика кандидатов</b> · { $scope }
stats-totals = Зарегистрировано: { $registered } · черновиков (регистрация не закончена): { $drafts }
stats-none = Зарегистрированных кандидатов пока нет.
stats-activity = Активны: { $active } · без движения { $days }+ { $days ->
        [one] день
        [few] дня
       *[many] дней
    }: { $stalled }
stats-funnel-head = <b>Воронка: на каком этапе квеста</b>
stats-funnel-line = { $number }. { $title } — { $count }
stats-organisations-head = <b>По организациям</b>
stats-formations-head = <b>По муниципальным образованиям</b> (топ { $top })
stats-count-line = • { $name } — { $count }
stats-more = …и ещё { $count }

map-no-election = Текущие выборы не заданы — карту строить не по чему.
map-head = <b>Карта коалиции</b> · { $scope }
    { $election }
map-summary = Округов: { $districts } · мандатов: { $seats } · кандидатов: { $candidates }
map-coverage = Пустых округов: { $empty } · недобор: { $partial } · ровно по мандатам: { $full } · перебор: { $over }
map-untouched = Муниципальных образований без единого кандидата: { $count }
map-over-head = <b>⚠️ Кандидатов больше, чем мандатов</b>
map-over-line = • { $formation }, округ №{ $number }: { $candidates } { $candidates ->
        [one] кандидат
        [few] кандидата
       *[many] кандидатов
    } на { $seats } { $seats ->
        [one] мандат
        [few] мандата
       *[many] мандатов
    } — { $organisations }
map-organisation = { $name } ({ $count })
map-no-over = Округов, где кандидатов больше, чем мандатов, нет.
map-formations-head = <b>По муниципальным образованиям</b>
map-formation-line = • { $name }: { $candidates } на { $seats } { $seats ->
        [one] мандат
        [few] мандата
       *[many] мандатов
    }, пустых округов { $empty } из { $districts }

## /stats картинкой (подписи на графике — без HTML)
stats-chart-caption = 📊 Те же числа на графике: воронка, активность, организации, МО
stats-chart-funnel = Воронка: на каком этапе квеста
stats-chart-activity = Активны и без движения { $days }+ { $days ->
        [one] день
        [few] дня
       *[many] дней
    }
stats-chart-active = Активны
stats-chart-stalled = Без движения
stats-chart-organisations = По организациям
stats-chart-formations = По муниципальным образованиям (топ { $top })
map-shared-head = <b>🤝 Округа, где идут кандидаты разных организаций: { $count }</b>
    Договоритесь, кто где идёт, чтобы организации коалиции не шли друг против друга (⚠️ — кандидатов уже больше, чем мандатов).
map-shared-line = { $mark } { $formation }, округ №{ $number }: { $organisations } — { $candidates } на { $seats } { $seats ->
        [one] мандат
        [few] мандата
       *[many] мандатов
    }
