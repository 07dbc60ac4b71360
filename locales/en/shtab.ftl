## Shtab — English catalogue. Texts go out with parse_mode=HTML; arguments are escaped by code.

greeting =
    Hello! I am <b>Shtab</b>, the campaign HQ for the coalition's candidates in municipal elections.
    I will walk you through the campaign step by step: documents, the electoral fund, campaigning, meeting voters.
welcome-back = Welcome back! Let's continue where we stopped.
invite-organisation = You were invited by “{ $name }”.

## Consent to the processing of personal data (152-FZ)

consent-request =
    <b>Consent to the processing of personal data</b>

    To register you as a candidate, Shtab needs to keep your full name, phone, e-mail (optional), organisation and electoral district.
    Only your organisation's coordinators and the coalition's admins see them. The phone and e-mail are stored encrypted.
    You can withdraw consent at any time with /forget_me, and all your data will be erased.

    Until you agree, I store nothing about you.
button-consent-agree = ✅ I agree to the processing
button-consent-decline = I do not agree
consent-declined =
    Understood. Without consent I cannot store anything, so registration is not possible.
    If you change your mind, send /start. What I store and who sees it: /privacy
consent-thanks = Thank you! Let's register you.

## Registration

ask-full-name =
    <b>Step 1 of 5.</b> Type your surname, first name and patronymic (if any), as in your passport.
    For example: <i>Ivanova Maria Sergeevna</i>
ask-phone =
    <b>Step 2 of 5.</b> Share your phone number with the “Share contact” button below.
    That way the number is surely yours and has no typos.
phone-saved = Phone saved.
ask-email =
    <b>Step 3 of 5.</b> Type an e-mail for documents and newsletters, or skip this step.
    For example: <i>maria@example.com</i>
ask-organisation = <b>Step 4 of 5.</b> Choose the coalition organisation that nominates you:
organisation-from-invite = Organisation: “{ $name }” (from the invitation). You can change it on the card before confirming.
ask-formation =
    <b>Step 5 of 5.</b> Which municipal formation are you running in?
    Type part of its name, for example: <i>Гавань</i> or <i>Сосновское</i>.
formation-matches =
    { $count ->
        [one] Found { $count } municipal formation:
       *[other] Found { $count } municipal formations:
    }
formation-too-many = Showing the first { $shown }: type more of the name if yours is not there.
formation-not-found = No such municipal formation. Try again: a few letters of the name are enough.
ask-district =
    { $formation }: { $count ->
        [one] { $count } electoral district
       *[other] { $count } electoral districts
    }. Choose yours:
button-district =
    District #{ $number }, { $seats ->
        [one] { $seats } seat
       *[other] { $seats } seats
    }
summary-intro = Check your details. Fix anything with the buttons, then confirm.
card =
    <b>Candidate card</b>
    Name: { $full_name }
    Phone: { $phone }
    E-mail: { $email }
    Organisation: { $organisation }
    District: { $district }
card-district-value =
    { $formation } ({ $admin_district } district), district #{ $number }, { $seats ->
        [one] { $seats } seat
       *[other] { $seats } seats
    }
card-missing = — not given —
card-email-skipped = not given
button-edit-full-name = ✏️ Name
button-edit-phone = ✏️ Phone
button-edit-email = ✏️ E-mail
button-edit-organisation = ✏️ Organisation
button-edit-district = ✏️ District
button-confirm = ✅ All correct, confirm
button-share-contact = 📱 Share contact
button-skip-email = Skip
registration-done =
    🎉 Done! You are registered with Shtab.
    The campaign comes next, step by step: /quest. Main menu: /menu

## Input errors: what is wrong and what is expected

error-name-empty = Please type your surname, first name and patronymic.
error-name-too-long = Too long: at most { $limit } characters. Type just your surname, first name and patronymic.
error-name-parts = I need a surname and a first name, plus a patronymic if you have one: two to five words. For example: <i>Ivanova Maria Sergeevna</i>
error-name-characters = A name may contain only letters, hyphens and apostrophes, no digits or symbols. For example: <i>Petrova-Vodkina Anna</i>
error-name-mixed = The word “{ $part }” mixes Cyrillic and Latin letters. Please type it in one keyboard layout.
error-expected-name = I am waiting for your full name, typed as text. For example: <i>Ivanova Maria Sergeevna</i>
error-phone-use-button = Press the “📱 Share contact” button at the bottom of the screen; no need to type the number.
error-phone-not-own = That is someone else's contact. I need your own number: press “📱 Share contact”.
error-phone-invalid = This number does not look valid. Share a contact with a number that works.
error-email-invalid = That does not look like an e-mail. Expected something like <i>name@example.com</i>, or press “Skip”.
error-use-buttons = Please choose with the buttons under the message.
error-formation-query-short = Type at least { $minimum } letters of the name.
error-formation-query-long = Too long for a name. Type part of it, for example: <i>Гавань</i>
error-no-election = The election is not set up yet. The coordinators know; please try later.
error-stale-choice = This option is no longer available. Choose from the new list.
error-consent-first = Consent to the processing of data comes first: /start
error-registration-incomplete = Some details are missing; let's continue with the first one.
error-internal = Sorry, something went wrong. Your data is safe. Back to the menu: /menu
stale-button = This button is out of date. Open the menu: /menu
unknown-command = I don't know that command. All commands: /help
not-understood = I didn't understand. Main menu: /menu, help: /help
use-buttons-here = The answer here is a button under the message above. Main menu: /menu

## Menu and common commands

menu-title = <b>Main menu</b>
menu-candidate = You are registered as a candidate. The campaign, step by step, is in the quest: /quest
menu-not-registered = Your registration is not finished yet.
menu-staff = You are a coordinator or an admin: commands in /help
button-menu-continue = ▶️ Continue registration
button-menu-privacy = 🔒 My data
button-menu-language = 🌐 Язык / Language
button-menu-help = ❓ Help
cancelled = Dialog stopped. Everything you typed is saved. Continue: /start, menu: /menu
nothing-to-cancel = Nothing to cancel right now. Menu: /menu
help =
    <b>Commands</b>
    /start — start or continue registration
    /quest — the campaign quest: stages and tasks
    /ask — ask the coordinators a question
    /faq — answers to frequent questions
    /team — your district's team: the coalition's candidates next to you
    /settings — reminders and quiet hours
    /menu — main menu
    /cancel — leave the current dialog (what you typed is kept)
    /language — language
    /privacy — what is stored about me and who sees it
    /forget_me — erase all my data
help-staff =
    <b>For coordinators</b>
    /pending — candidates' tasks waiting for your check
    /questions — candidates' questions
    /stats — the campaign funnel · /map — the coalition map by district
    /candidates, /candidate — candidates and their cards
    /broadcast — message candidates · /export candidates — export
    /pin — your PIN for dangerous actions
help-admin =
    <b>For admins</b>
    /grant_coordinator &lt;id&gt; [org:&lt;code&gt;] [mf:"&lt;formation&gt;"] — make a coordinator
    /revoke_coordinator &lt;id&gt; — remove the coordinator role
    /election — the election: dates, districts, limits
    /election_set &lt;key&gt; &lt;value&gt; — change a date or a number
    /reload_quests — re-read the quest files without a restart
    /audit [id] — the access log · /pin_reset &lt;id&gt; — reset a PIN
    /wipe — emergency key wipe (two admins needed)
ask-language = Выберите язык / Choose your language:
language-set = Done: we speak English now.

## Privacy

privacy-nothing = I store nothing about you: you have not consented to the processing of data.
privacy-stored =
    <b>What is stored about you</b>
    Consent given: { $consent_at }
    Language: { $locale }
    Name: { $full_name }
    Phone (encrypted): { $phone }
    E-mail (encrypted): { $email }
    Organisation: { $organisation }
    District: { $district }
    Roles: { $roles }
privacy-policy =
    <b>Who sees your data</b>: your organisation's coordinators and the coalition's admins. Other candidates don't — except your district's team if you joined it (/team): they see your name and organisation, and your Telegram contact only if you allowed it. Every view and export is written to an audit log.
    Erase everything: /forget_me
forget-confirm-1 = Erase all your data from Shtab? Your registration and progress cannot be restored.
forget-confirm-2 = Are you sure? This cannot be undone: name, phone, e-mail, district and all history will be erased for good.
button-forget-yes = Yes, erase
button-forget-final = 🗑 Erase for good
button-forget-keep = No, keep it
forget-kept = All right, nothing erased.
forget-done = Done: all your data is erased. To come back, send /start.

## Administration

grant-usage = Usage: /grant_coordinator &lt;user id&gt; [org:&lt;organisation code&gt;]… [mf:"&lt;formation name&gt;"]…
grant-done = User { $user_id } is now a coordinator ({ $scopes ->
        [0] the whole coalition
        [one] { $scopes } scope
       *[other] { $scopes } scopes
    }).
revoke-usage = Usage: /revoke_coordinator &lt;user id&gt;
revoke-done = User { $user_id } is no longer a coordinator (records: { $count }).
error-grant-unknown-user = User { $user_id } has not consented in the bot yet, so no role can be granted. Ask them to send /start to the bot.
error-grant-unknown-organisation = No organisation with the code “{ $code }”.
error-grant-unknown-formation = No municipal formation “{ $name }” in the current election.
error-districts-columns = The file lacks the columns: { $missing }.
error-districts-number = Line { $line }: the district number and the seats (1–5) must be numbers.
error-election-unknown = Election “{ $code }” not found: give --name and --date for a new election.

## Telegram command menu

cmd-start = Start / continue registration
cmd-menu = Main menu
cmd-help = Help and commands
cmd-language = Язык / Language
cmd-privacy = My data and who sees it
cmd-forget-me = Erase my data
cmd-cancel = Leave the dialog
cmd-admin = Admin commands
cmd-grant-coordinator = Make a coordinator
cmd-revoke-coordinator = Remove a coordinator

## Internal

tasks-count =
    { $count ->
        [one] { $count } task
       *[other] { $count } tasks
    }
role-admin = admin
role-coordinator = coordinator
role-candidate = candidate
role-volunteer = volunteer
role-supporter = supporter

## Elections: calendar and settings (/election, /election_set)

cmd-election = Current election: dates and settings
cmd-election-set = Change an election date or setting
election-event-election-day = Election day
election-event-nomination-opens = Nomination opens
election-event-nomination-closes = Nomination closes
election-event-registration-docs-due = Registration documents due
election-event-campaign-opens = Campaign opens
election-event-campaign-closes = Campaign closes
election-event-final-report-due = Final financial report due
election-config-signature-percent = Signatures, % of the district's voters (divided by its seats)
election-config-signature-min = Signatures, at least
election-config-signature-extra-percent = May file more than required, %
election-config-signature-extra-small = May file more than required, when few are required
election-config-signature-small-threshold = “Few signatures” means fewer than
election-config-fund-limit-rub = Electoral fund limit, ₽
election-config-donation-cap-citizen-rub = Donation by a citizen, at most ₽
election-config-donation-cap-legal-rub = Donation by a legal entity, at most ₽
election-config-donation-return-days = Return an illegal donation within, days
election-value-unset = not set
election-card-title = <b>{ $name }</b>
    Code: <code>{ $code }</code>
election-card-day = Election day: <b>{ $day }</b>
election-card-note = <i>{ $note }</i>
election-card-calendar = <b>Calendar</b>
election-card-line = { $label }: { $value } — <code>{ $key }</code>
election-card-line-default = { $label }: { $value } (default) — <code>{ $key }</code>
election-card-districts = Municipal formations: { $formations }, electoral districts: { $districts }, seats: { $seats }.
election-card-config = <b>Settings</b> (the signature rules come from an unconfirmed source: check them with the election commission)
election-card-samples = <b>Signatures to register, examples</b>
election-card-sample = { $formation }, district no. { $number } ({ $seats ->
        [one] { $seats } seat
       *[other] { $seats } seats
    }, { $voters } voters): { $required } required, at most { $maximum } may be filed
election-card-sample-unknown = { $formation }, district no. { $number } ({ $seats ->
        [one] { $seats } seat
       *[other] { $seats } seats
    }): number of voters unknown
election-card-hint = To change: /election_set &lt;key&gt; &lt;value&gt;, e.g. <code>/election_set nomination_closes 12.07.2027</code>. Dates as DD.MM.YYYY; the value “-” clears a setting.
election-set-usage = Usage: /election_set &lt;key&gt; &lt;value&gt; (a date DD.MM.YYYY or a number; “-” clears it). Keys: { $keys }
election-set-done = Saved. { $label } (<code>{ $key }</code>): was { $old }, now <b>{ $new }</b>.
error-election-none = No current election is set. Load one with: python -m bot import-election FILE.toml --current
error-election-key = There is no setting “{ $key }”. Available: { $keys }
error-election-date = “{ $value }” is not a date. Write it as DD.MM.YYYY, e.g. 12.07.2027.
error-election-integer = { $key }: “{ $value }” is not a whole number.
error-election-number = { $key }: “{ $value }” is not a number.
error-election-range = { $key }: the value must be between { $min } and { $max }.
error-election-cap-over-limit = A donation cap cannot be above the electoral fund limit.
error-election-order = The dates are out of order: { $earlier } ({ $earlier_date }) must not be later than { $later } ({ $later_date }).
error-election-day-required = Election day cannot be cleared, only changed to another date.
error-election-file-read = Cannot read { $path }: { $reason }
error-election-file-field = { $path }: field { $field }: { $reason }
