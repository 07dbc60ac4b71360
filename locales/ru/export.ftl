## Выгрузки

export-usage = Формат: /export candidates [csv] — по умолчанию XLSX.
export-candidates-header = №|ФИО|Организация|МО|Округ|Телефон|E-mail|Очки|Дней без движения|Зарегистрирован
export-candidates-sheet = Кандидаты
export-caption = Кандидатов: { $count }. ⚠️ В файле личные данные: не пересылайте его и удалите после работы. Выгрузка записана в журнал.
cmd-export = Выгрузка кандидатов
