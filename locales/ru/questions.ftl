## Вопросы кандидатов (/ask, /questions) и частые вопросы (/faq)

cmd-ask = Задать вопрос штабу
cmd-questions = Открытые вопросы кандидатов
cmd-faq = Частые вопросы и ответы

questions-register-first = Задавать вопросы и читать ответы можно после регистрации кандидата: /start
questions-ask-prompt = Напишите ваш вопрос одним сообщением (до { $limit } знаков) — его получат координаторы вашей организации или округа. Выйти: /cancel
questions-text-only = Пришлите, пожалуйста, текст одним сообщением. Выйти: /cancel
questions-too-long = Слишком длинно: { $length } знаков, можно до { $limit }. Сократите, пожалуйста, и пришлите ещё раз.
questions-asked = ✅ Вопрос №{ $id } отправлен в штаб. Ответ придёт сюда, в этот чат.
questions-new = ❓ <b>Новый вопрос №{ $id }</b> от кандидата { $name }:

    { $text }
questions-button-answer = Ответить
questions-button-answer-id = Ответить на №{ $id }
questions-list = <b>Открытые вопросы</b> ({ $count }), сначала самые давние:
questions-item = <b>№{ $id }</b> · { $name } · { $date }
    { $text }
questions-more = Показаны первые { $count }; ответьте на них, чтобы увидеть следующие.
questions-empty = Открытых вопросов нет.
questions-gone = Этот вопрос недоступен.
questions-already-answered = На этот вопрос уже ответили.
questions-answer-prompt = Вопрос №{ $id } от кандидата { $name }:

    { $text }

    Напишите ответ одним сообщением (до { $limit } знаков) — он уйдёт кандидату. Выйти: /cancel
questions-answer-header = 💬 <b>Ответ штаба</b> на ваш вопрос «{ $question }»:
questions-answer-sent = ✅ Ответ на вопрос №{ $id } отправлен кандидату.
questions-answer-undelivered = Ответ на вопрос №{ $id } сохранён, но доставить его не удалось: возможно, кандидат заблокировал бота.
questions-button-faq = ➕ В FAQ
questions-faq-prompt = Ответ попадёт в FAQ без изменений и будет виден всем зарегистрированным — убедитесь, что в нём нет личных данных.

    Напишите короткую формулировку вопроса без имён и личных подробностей (до { $limit } знаков). Выйти: /cancel
questions-faq-added = ✅ Добавлено в FAQ: «{ $question }». Посмотреть: /faq
questions-faq-exists = Этот ответ уже есть в FAQ.

faq-title = <b>Частые вопросы</b> — последние добавленные. Поиск: /faq слова
faq-found = <b>Частые вопросы</b> по запросу «{ $query }»: { $count }
faq-entry = ❓ <b>{ $question }</b>
    { $answer }
faq-more = …и ещё { $count }. Уточните запрос: /faq слова
faq-empty = В FAQ пока ничего нет. Задать вопрос штабу: /ask
faq-not-found = По запросу «{ $query }» ничего не нашлось. Задать вопрос штабу: /ask
