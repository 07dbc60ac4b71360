## The electoral fund

cmd-fund = Electoral fund: account details, donations, ledger
cmd-funds = Candidates' funds: opened, raised, to return

fund-candidates-only = The "Fund" section is for registered candidates. To register: /start
fund-intro-new = <b>The electoral fund</b>

    Once the bank opens your special electoral account, enter its details. The bot checks every digit (BIC, the accounts' control keys, INN), makes a donation QR code and link, keeps the ledger and reminds you of return deadlines.
fund-button-setup = 🏦 Enter the account details
fund-button-share = 💳 Link, QR code and card for supporters
fund-button-donation = ➕ Income
fund-button-spending = ➖ Spending
fund-button-import = 📄 Upload a bank statement
fund-button-returns = ⚠️ To return: { $count }
fund-button-pdf = 📊 Summary PDF
fund-button-xlsx = 📈 Summary XLSX
fund-button-edit = ✏️ Change the details
fund-button-skip = Skip
fund-button-save = ✅ Save
fund-button-redo = ✏️ Start over
fund-button-today = Today
fund-button-back = ◀️ Back to the fund
fund-button-returned = ✅ No. { NUMBER($n, useGrouping: 0) } returned
fund-not-set = not set
fund-not-given = not given
fund-summary = <b>The electoral fund</b>
    Received: <b>{ $raised }</b>
    Spent: { $spent }
    Returned: { $returned }
    Balance on the account: <b>{ $balance }</b>

    Fund maximum: { $limit }
    Cap per citizen donor: { $cap }
fund-summary-flagged = ⚠️ <b>To return: { $count }</b>, { $amount } in total. The deadline is 10 days from arrival, or the candidate is fined. Open "To return".
fund-over-limit = ❗ Income is above the fund maximum. The excess may not be accepted — talk to your coordinator today.

fund-setup-intro = <b>Details of the special electoral account</b>
    Copy them from the bank contract or the account opening certificate. To leave: /cancel
fund-ask-payee = <b>1/7. Payee</b> — as in the bank contract, e.g. "{ $name }".
fund-ask-bic = <b>2/7. Bank BIC</b> — 9 digits, starting with 04.
fund-ask-account = <b>3/7. Account number</b> — 20 digits.
fund-ask-corr = <b>4/7. The bank's correspondent account</b> — 20 digits, starting with 301.
fund-ask-bank = <b>5/7. Bank name</b> — e.g. ПАО Сбербанк.
fund-ask-inn = <b>6/7. Payee INN</b>, if the bank gave one (a candidate's has 12 digits).
fund-ask-kpp = <b>7/7. KPP</b>, if any (9 characters).
fund-confirm-details = Check the details — every control key matched:
fund-details = Payee: { $payee }
    BIC: { $bic }
    Account: { $account }
    Corr. account: { $corr }
    Bank: { $bank }
    INN: { $inn }
    KPP: { $kpp }
fund-details-saved = ✅ Details saved and verified. The fund is open in the bot.
fund-not-opened = Enter the account details first: /fund

fund-error-payee-empty = Payee: write the payee's name as in the bank contract.
fund-error-payee-long = Payee: at most { $limit } characters — the payment QR format requires it.
fund-error-pipe = The "|" character is not allowed in the details: it breaks the payment QR code.
fund-error-bank-empty = Bank name: write it, e.g. ПАО Сбербанк.
fund-error-bank-long = Bank name: at most { $limit } characters.
fund-error-bic-format = BIC: exactly 9 digits are needed.
fund-error-bic-country = BIC: a Russian BIC starts with 04 — check the first digits.
fund-error-account-format = Account number: exactly 20 digits are needed.
fund-error-account-is-corr = Account number: this is the bank's correspondent account (it starts with 301); your own account number is needed.
fund-error-account-key = The account number does not match the BIC by its control key — most likely one digit of the account is mistyped. Check the account number (and the BIC) against the contract.
fund-error-corr-format = Correspondent account: exactly 20 digits (or 0 if the bank has none).
fund-error-corr-prefix = A correspondent account starts with 301 — check the first digits.
fund-error-corr-bic = The correspondent account must end with the same three digits as the BIC. Check the corr. account and the BIC.
fund-error-corr-key = The correspondent account does not match the BIC by its control key — most likely one digit is mistyped. Check it against the bank's document.
fund-error-inn-format = Payee INN: 10 or 12 digits.
fund-error-inn-checksum = Payee INN: the check digits do not match — look for a typo.
fund-error-kpp-format = KPP: 9 characters, e.g. 784201001.
fund-error-amount = Amount: a number of roubles, e.g. 5000 or 1500.50.
fund-error-date = Date: like 05.07.2027, or "today", "yesterday".
fund-error-date-range = That date does not fit: it is in the future or too long ago.
fund-error-donor-name = Write the full name.
fund-error-entry = No such record. Open /fund again.

fund-district = { $formation }, district No. { $number }
fund-card-title = Support the candidate
fund-card-qr-caption = Point your banking app's camera at the QR code and the details fill in by themselves. A citizen donates in person, with their own money and passport, and the payment must state full name, date of birth, address, passport and citizenship.
fund-field-payee = Payee
fund-field-account = Account
fund-field-bank = Bank
fund-field-bic = BIC
fund-field-corr = Corr. account
fund-field-inn = INN
fund-card-link = Telegram link (checks who may donate and makes a QR code with your details):
fund-card-rules-title = Who may donate
fund-card-rules = A citizen of Russia who is 18 or older on voting day, with their own money, at most { $cap } in total.
    Not allowed: foreigners and stateless persons, minors, foreign agents and people on the extremism list, state and municipal bodies and institutions, anonymous donors.
    A donation without full name, date of birth, address, passport and citizenship is anonymous and goes to the budget.
fund-card-footer = Donations are accepted only on the candidate's special electoral account. No cash.
fund-share-caption = Link for supporters: { $link }
    It opens the candidate's card in the bot, the rules, the eligibility check and a QR code with the amount and the donor's details. The QR code above is for leaflets and social media.
fund-card-caption = A printable card: QR code, details and rules.

fund-ask-donation-amount = <b>Income.</b> The amount in roubles? E.g. 5000. To leave: /cancel
fund-ask-spend-amount = <b>Spending.</b> The amount in roubles? E.g. 12000. To leave: /cancel
fund-ask-day = The date on the statement (e.g. 05.07.2027) — or the "Today" button.
fund-ask-spend-note = What was it for? E.g. "Signature sheets, printer 'Pechat', invoice 12".
fund-spending-recorded = ✅ Spending of { $amount } recorded.
fund-ask-donor-type = Who is it from?
fund-donor-citizen = A citizen
fund-donor-legal = An organisation
fund-donor-own = Own money
fund-donor-party = A party
fund-donor-unknown = No details (anonymous)
fund-ask-donor-name = The donor's full name, as in the payment:
fund-ask-org-name = The organisation's name, as in the payment:
fund-ask-party-name = The party (branch) name, as in the payment:
fund-ask-donor-birth = The donor's date of birth (dd.mm.yyyy) — the bot counts their donations against the cap by it:
fund-ask-org-inn = The organisation's INN:
fund-ask-donor-status = Does the payment carry everything the law requires (a citizen: full name, date of birth, address, passport, citizenship; an organisation: INN, name, registration date, bank details, the statement that no restriction applies)?
fund-status-complete = ✅ All there, may donate
fund-status-incomplete = ❓ Something is missing
fund-status-ineligible = ⛔ May not donate
fund-dialog-expired = This dialog is out of date. Start again: /fund
fund-donation-recorded = ✅ Income of { $amount } recorded.
fund-flag-anonymous = ⚠️ <b>Anonymous donation</b>: transfer { $amount } to the budget by { $date } ({ $left }).
fund-flag-over-cap = ⚠️ <b>The donor's cap is exceeded</b>: return { $amount } to the donor by { $date } ({ $left }).
fund-flag-ineligible = ⚠️ <b>The donor may not donate</b>: return { $amount } by { $date } ({ $left }).
fund-flag-anonymous-short = anonymous, to the budget
fund-flag-over-cap-short = over the cap, return
fund-flag-ineligible-short = not allowed, return
fund-days-left = { $days ->
        [0] due today
        [one] { $days } day left
       *[other] { $days } days left
    }
fund-overdue = { $days ->
        [one] { $days } day overdue
       *[other] { $days } days overdue
    }
fund-returns-none = Nothing to return — every donation is in order.
fund-returns-head = <b>To return: { $count }</b>
    When the money has left (to the donor or the budget), press the record's button.
fund-entry-line = No. { NUMBER($n, useGrouping: 0) } · { $date } · { $amount } · { $who }
fund-entry-returned = ✅ Returned.
fund-marked-returned = ✅ No. { NUMBER($n, useGrouping: 0) }: return recorded.

fund-import-ask = Send the statement of the special account as a CSV or XLSX file (up to { $limit } MB). It needs the columns "Дата" (date) and "Сумма" (amount), or "Приход"/"Расход" (credit/debit); "Плательщик" (payer) and "Назначение платежа" (purpose) help check the donors. To leave: /cancel
fund-import-too-big = The file is over { $limit } MB — export a shorter period.
fund-import-download = Could not get the file from Telegram. Send it again.
fund-import-failed = ❌ <b>The statement could not be loaded:</b>
fund-import-row = row { $row }: { $reason }
fund-import-more = …and { $count } more errors
fund-import-nothing = Nothing was recorded. Fix the file and send it again.
fund-import-format = a CSV or XLSX file is needed
fund-import-encoding = the text cannot be read: save the file as UTF-8 or Windows-1251
fund-import-broken = the file is damaged or not a spreadsheet
fund-import-too-many = more than { $rows } rows — export a shorter period
fund-import-columns = no "Дата" and "Сумма" (or "Приход"/"Расход") columns in the first rows
fund-import-formula = a formula in a cell, "{ $value }" — values are needed, not formulas
fund-import-bad-date = unreadable date "{ $value }"
fund-import-bad-amount = unreadable amount "{ $value }"
fund-import-no-amount = no amount
fund-import-empty = the file has no transactions
fund-import-done = ✅ Statement loaded: { $donations } income, { $spending } spending. Loaded before: { $duplicates }.
fund-import-flagged = ⚠️ To check and possibly return: { $count }. The bot treats a payment as anonymous when it finds no full donor details in it (full name, date of birth, address, passport, citizenship). Check against the statement: if the payment does carry full details, press "The payment has full details" under "To return"; in doubt, ask your coordinator the same day.

fund-report-caption = The fund summary for the financial report.
fund-kind-donation = income
fund-kind-spending = spending
fund-report-returned = returned
fund-report-raised = Received
fund-report-spent = Spent
fund-report-returned-total = Returned
fund-report-to-return = To return
fund-report-balance = Balance
fund-report-limit = Fund maximum
fund-report-title = Electoral fund of candidate { $name }
fund-report-header = Date|Transaction|Donor|Amount|Purpose|Return
fund-report-sheet-totals = Totals
fund-report-sheet-entries = Transactions
fund-report-empty = No transactions yet.

fund-donate-unknown = This donation link does not work: the candidate has not opened the fund yet, or the link changed. Ask the candidate for a new one.
fund-donate-card = <b>A donation to the electoral fund</b>
    Candidate: <b>{ $name }</b>
    District: { $district }
    Supported by: { $organisation }
fund-donate-rules = By law, a citizen of Russia who is 18 or older on voting day may donate their own money. Not allowed: foreigners and stateless persons, foreign agents, people on the extremism list, anonymous donors. The bot asks four questions — the answers are not stored anywhere.
fund-donate-question = <b>Question { $number } of { $total }.</b>
fund-yes = Yes
fund-no = No
fund-q-citizen = Are you a citizen of the Russian Federation?
fund-q-adult = Will you be 18 or older on voting day?
fund-q-own-money = Are you donating your own money (not someone else's, not an organisation's)?
fund-q-registries = Do you confirm you are not a foreign agent and not on the list of people involved in extremism or terrorism?
fund-no-citizen = Thank you for wanting to help! By law only citizens of Russia may donate to an electoral fund, so we won't make a donation QR code. You can support the candidate in other ways: tell people about them or volunteer.
fund-no-adult = Thank you for your support! Citizens who are 18 or older on voting day may donate. You don't need money to help: tell your friends and family about the candidate.
fund-no-own-money = Thank you! By law a citizen donates only their own money — not on behalf of another person or an organisation. If you want to donate your own, open the link again.
fund-no-registries = Thank you for the honest answer. The law forbids donations from foreign agents and people on these lists — the candidate would have to return such a donation. We won't make a QR code.
fund-donate-expired = This conversation is out of date. Open the candidate's link again.
fund-donate-amount = How many roubles would you like to donate? At most { $cap } — the cap for one citizen over the whole campaign.
fund-donate-amount-nocap = How many roubles would you like to donate? The commission has not announced the cap per citizen yet — check with the candidate.
fund-donate-over-cap = That is above the cap: one citizen may donate at most { $cap } over the whole campaign. Type a smaller amount.
fund-donate-details-offer = The law treats a donation without your details (full name, date of birth, address, passport, citizenship) as anonymous — it would go to the budget. Add your details to the QR code? The bot does not store them: they are needed only for the code.
fund-donate-give-details = 🪪 Enter my details
fund-donate-no-details = No details (I'll give them at the bank)
fund-donate-details-ask = Send <b>one message of five lines</b>:
    1. Full name
    2. Date of birth (dd.mm.yyyy)
    3. Address of residence
    4. Passport series and number
    5. Citizenship
    For example:
    Петров Пётр Петрович
    02.01.1980
    г. Санкт-Петербург, ул. Ленина, д. 1, кв. 2
    4010 123456
    Россия

    The bot deletes your message once the QR code is made and stores nothing.
fund-donor-lines = Five lines are needed, { $count } came. One field per line: full name, date of birth, address, passport, citizenship.
fund-donor-line-long = Each line: at most { $limit } characters and no "|".
fund-donor-bad-name = Line 1 (full name): surname, first name and patronymic if any — in letters.
fund-donor-bad-birth = Line 2 (date of birth): as dd.mm.yyyy, e.g. 02.01.1980.
fund-donor-bad-address = Line 3 (address): write the full address of residence.
fund-donor-bad-passport = Line 4 (passport): series and number — 10 digits, e.g. 4010 123456.
fund-donate-qr = <b>A QR code for { $amount }</b> to the fund of candidate { $name }.
    Open your banking app → "Pay by QR": the details and your data fill in by themselves. The law requires donating in person, with your own money. Thank you!
fund-donate-qr-anonymous = <b>A QR code for { $amount }</b> to the fund of candidate { $name }.
    ⚠️ The code carries none of your details: at the bank, be sure to give your full name, date of birth, address, passport and citizenship, or the donation becomes anonymous and goes to the budget. Thank you!
fund-donate-use-buttons = Answer with the buttons under the question. To leave: /cancel

fund-funds-head = <b>Candidates' funds: { $count }</b>, opened in the bot: { $opened }
    Status · details verified · raised · to return (overdue)
fund-funds-more = …and { $count } more. Narrow it down: /funds org:code mf:name
fund-status-line = • <b>{ $name }</b> — { $opened } · { $verified } · { $raised } · ⚠️ { $flagged } ({ $overdue })
fund-status-opened = opened
fund-status-not-opened = not opened
fund-card-line = 🏦 Fund:
fund-reminder-return = <b>A donation's return deadline</b>
fund-reminder-open = Open the record
privacy-fund = Electoral fund: account details and { $entries } ledger records (donors' data encrypted)
fund-text-expected = A text answer is needed here. To leave: /cancel
fund-import-date-range = the date { $value } is in the future or too long ago
fund-button-complete = 🪪 The payment has full details
fund-flag-cleared = ✅ No. { NUMBER($n, useGrouping: 0) }: no longer anonymous — the payment carries the donor's full details. This is written to the audit log.
fund-returns-more = …and { $count } more — they show here once the first ones are marked returned.
