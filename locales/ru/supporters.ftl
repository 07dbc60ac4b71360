## База сторонников коалиции: импорт, дубли, округа, согласия

cmd-supporters = Сторонники (ваш округ или ваша запись)
cmd-import-supporters = Загрузить файл сторонников организации
cmd-export-supporters = Выгрузка сторонников (CSV)
cmd-supporters-review = Возможные дубли сторонников

supporters-purpose-contact = связь с кандидатами коалиции
supporters-purpose-volunteer = волонтёрство
supporters-purpose-news = рассылка новостей
supporters-consent-none = нет согласий
supporters-button-done = Готово
supporters-button-agree = Согласен(на)
supporters-button-decline = Не согласен(на)

supporters-join-intro =
    <b>Стать сторонником коалиции</b>
    Мы сохраним ваше имя, телефон и адрес в зашифрованном виде, чтобы определить ваш избирательный округ. Кандидаты увидят вас, только если вы разрешите связь с ними; согласия можно поменять в любой момент (/supporters), а удалить всё — командой /forget_me.
    Согласны на обработку этих данных?
supporters-join-declined = Хорошо, мы ничего не сохранили. Если передумаете — откройте ссылку ещё раз.
supporters-ask-name = Как вас зовут? Фамилия и имя (можно с отчеством).
supporters-ask-phone = Поделитесь номером телефона кнопкой ниже.
supporters-own-contact = Нужен ваш собственный номер — нажмите кнопку «Поделиться контактом».
supporters-ask-address = Ваш адрес: улица и дом (например, «Ленина 5 к2»). Квартира не нужна.
supporters-address-unclear = Не нашли номер дома. Напишите улицу и дом, например: «Невский пр. 28».
supporters-address-found = ✅ Адрес найден в списке округа.
supporters-address-not-found = Адрес пока не нашли в списке избирательных округов — координаторы проверят его вручную.
supporters-ask-consents = На что вы согласны? Отметьте и нажмите «Готово».
supporters-text-only = Пришлите, пожалуйста, текст. Выйти: /cancel
supporters-joined = 🙌 Спасибо! Вы в базе сторонников коалиции.
supporters-not-allowed = Эти данные вам недоступны.
supporters-own-card =
    <b>Ваша запись сторонника</b>
    Имя: { $name }
    Телефон: { $phone }
    Округ: { $district }
    Согласия — нажмите, чтобы изменить:
supporters-consent-saved = Сохранено

supporters-empty-staff = Сторонников в вашей зоне пока нет.
supporters-empty-candidate = В вашем округе пока нет сторонников, согласных на связь с кандидатами.
supporters-staff-title = <b>Сторонники</b>: { $count }. Адрес не найден в списке: { $unassigned }. Возможных дублей: { $review } (/supporters_review).
supporters-candidate-title = <b>Сторонники вашего округа</b>, согласные на связь с кандидатами: { $count }. Не пересылайте их данные.
supporters-unassigned-title = <b>Сторонники без округа</b> (адрес не найден в списке): { $count }
supporters-page = стр. { $page } из { $pages }
supporters-item = №{ $id } · <b>{ $name }</b> · { $phone } · { $email }
    { $consents }
supporters-button-unassigned = Без округа
supporters-export-caption = Сторонников: { $count }. ⚠️ В файле личные данные: не пересылайте его и удалите после работы. Выгрузка записана в журнал.

supporters-review-empty = Возможных дублей нет.
supporters-review-title = <b>Один ли это человек?</b> Сходство имён: { $score } из 100.
supporters-review-card = №{ $id } · <b>{ $name }</b>
    Телефон: { $phone }
    Адрес: { $address }
supporters-button-same = Один человек — объединить
supporters-button-different = Разные люди
supporters-review-saved = Сохранено
supporters-review-gone = Эта пара уже разобрана или вам недоступна.

supporters-import-no-organisation = Загружать файлы могут координаторы организаций и администраторы.
supporters-import-which-organisation = Для какой организации файл?
supporters-import-send-file = Пришлите файл CSV или XLSX (до { $limit } МБ). Первая строка — названия столбцов. Выйти: /cancel
supporters-import-file-expected = Пришлите файл документом (CSV или XLSX). Выйти: /cancel
supporters-mapping-title = <b>Столбцы файла</b>:
supporters-mapping-line = { $letter }. «{ $title }» → { $field }
supporters-mapping-ignored = не загружать
supporters-mapping-question = Всё верно? Нажмите букву столбца, чтобы поменять, или «Проверить».
supporters-mapping-which-field = Что в столбце { $letter }?
supporters-button-check = Проверить (ничего не записывая)
supporters-button-cancel = Отмена
supporters-button-import = Загрузить
supporters-import-confirm = Загрузить файл?
supporters-import-cancelled = Загрузка отменена, ничего не записано.
supporters-field = { $field ->
    [full_name] ФИО целиком
    [last_name] фамилия
    [first_name] имя
    [middle_name] отчество
    [phone] телефон
    [email] e-mail
    [address] адрес
    [birth_date] дата рождения
    [consent] согласие (на всё)
    [consent_contact] согласие на связь с кандидатами
    [consent_volunteer] согласие на волонтёрство
    [consent_news] согласие на рассылку
    [tags] метки
    [event] мероприятие / источник
    [date] дата
    [external_id] номер записи
   *[other] { $field }
}

supporters-report-refused = ❌ <b>Файл не загружен</b> (строк в файле: { $rows }): в нём ошибки. Ничего не записано — исправьте и пришлите снова.
supporters-report-dry =
    <b>Проверка</b> (строк в файле: { $rows }) — ничего не записано:
    новых людей: { $created }, объединятся с уже известными: { $merged }, без изменений: { $unchanged }, обновятся: { $updated }
    на проверку дублей: { $review }, адрес не найден в списке округов: { $unassigned }, пропущено строк: { $skipped }
supporters-report-done =
    ✅ <b>Загружено</b> (строк в файле: { $rows }):
    новых людей: { $created }, объединено с известными: { $merged }, без изменений: { $unchanged }, обновлено: { $updated }
    на проверку дублей: { $review } (/supporters_review), адрес не найден в списке округов: { $unassigned }, пропущено строк: { $skipped }
supporters-report-more = … и ещё { $count }.

supporters-problem-columns = Строка { $row }: число ячеек не совпадает с заголовком.
supporters-problem-broken = Строка { $row }: повреждена (незакрытые кавычки?).
supporters-problem-formula = Строка { $row }: формула в ячейке ({ $column }) — формулы не загружаем, замените значением.
supporters-problem-too-long = Строка { $row }: слишком длинная ячейка.
supporters-problem-id = Строка { $row }: слишком длинный номер записи.
supporters-problem-duplicate-id = Строка { $row }: номер записи повторяется.
supporters-problem-skip-no-name = Строка { $row }: нет имени — пропущена.
supporters-problem-skip-no-contact = Строка { $row }: кроме имени ничего нет — пропущена.
supporters-problem-bad-phone = Строка { $row }: телефон не распознан — загрузится без него.
supporters-problem-bad-email = Строка { $row }: e-mail не распознан — загрузится без него.
supporters-problem-bad-birth = Строка { $row }: дата рождения не распознана — загрузится без неё.

supporters-error-encoding = Не удалось прочитать текст файла: сохраните его в UTF-8 или Windows-1251 (CSV) либо в XLSX.
supporters-error-empty = Файл пустой или без строки заголовков.
supporters-error-too-many-rows = В файле больше { $limit } строк — разделите его на части.
supporters-error-xlsx = Файл XLSX повреждён или это не XLSX.
supporters-error-too-big = Файл { $size_mb } МБ, можно до { $limit_mb } МБ — разделите его на части.
supporters-error-unknown-field = Нет такого поля: { $field }.
supporters-error-unknown-column = В файле нет столбца «{ $column }».
supporters-error-no-name-column = Не нашли столбец с именем (ФИО, фамилия или имя) — укажите его.
supporters-error-unknown-org = Нет организации с кодом «{ $code }».
supporters-error-unknown-district = Нет такого округа.
supporters-error-purpose = Нет такого согласия.
supporters-pin-again = 🔐 Список открывается по PIN и закрылся (прошло больше 15 минут). Отправьте команду ещё раз.
supporters-export-usage = Формат: /export_supporters [pseudo|plain] — по умолчанию CSV в зашифрованном архиве (пароль покажем один раз); pseudo — без ФИО, адресов и со скрытыми контактами; plain — без шифрования (не рекомендуется). Перед выгрузкой бот спросит PIN.
