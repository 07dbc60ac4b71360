## Door-to-door canvassing (/canvass): volunteers, door notes, summary, GOTV

cmd-canvass = Door-to-door canvassing: notes and summary
cmd-canvass-flags = Canvassing: candidates' suspicious notes
cmd-import-addresses = Upload a district's address list (CSV)
settings-kind-gotv = Supporter lists before the election

canvass-outcome-no_answer = 🚪 No answer
canvass-outcome-refused = 🙅 Refused to talk
canvass-outcome-supporter = 👍 Supporter
canvass-outcome-undecided = 🤔 Undecided
canvass-outcome-against = 👎 Against
canvass-outcome-later = ⏰ Come back later

canvass-topic-yards = Courtyards
canvass-topic-transport = Transport
canvass-topic-housing = Housing services
canvass-topic-parking = Parking
canvass-topic-greenery = Greenery
canvass-topic-safety = Safety
canvass-topic-social = Clinics and schools
canvass-topic-other = Other

canvass-flag-fast = too fast (many doors within a minute)
canvass-flag-far = location { $metres } m from the building

canvass-invite-invalid = This volunteer link no longer works. Ask the candidate for a new one.
canvass-invite-own = This is your own volunteer link — send it to the people who will canvass with you. Canvassing: /canvass
canvass-volunteer-consent = 👋 You are invited to the canvassing team of candidate <b>{ $candidate }</b>.

    To work as a volunteer the bot keeps only your display name (a pseudonym is fine) and your canvass notes. No phone number needed. Only this candidate sees them; /forget_me erases everything.

    Do you agree to the processing of this data?
canvass-button-agree = ✅ I agree
canvass-button-decline = No
canvass-volunteer-welcome = 👋 You are invited to the canvassing team of candidate <b>{ $candidate }</b>.
canvass-ask-display-name = What name should the team see? A pseudonym is fine (up to 40 characters).
canvass-name-invalid = A name in letters, up to { $limit } characters, please. Try again.
canvass-joined = ✅ You are on the team of { $candidate }. You canvass in their district only.

    A door note: "New note", or one line, for example:
    <code>Lenina 5 apt 12 supporter yards</code>
canvass-volunteer-home = 🚪 <b>Canvassing</b>. Start a note with the button or send one line, for example: <code>Lenina 5 apt 12 supporter yards</code>
canvass-no-campaign = Canvassing is for registered candidates (with a district) and for volunteers invited by a candidate's link.
canvass-candidate-only = Only the candidate can do this.
canvass-staff-only = This command is for coordinators.
canvass-gone = Not available.
canvass-stale = This button is out of date. Start again: /canvass
canvass-you = you

canvass-button-new-note = 🚪 New note
canvass-button-last = 🏠 { $address }
canvass-button-no-apartment = No apartment
canvass-button-other-building = 🏠 Another building
canvass-button-next = ➡️ Next apartment
canvass-button-add-review = ➕ Add "{ $address }" (for review)
canvass-button-contact = 📇 Resident's contact
canvass-button-note = 📝 Note / 🎤
canvass-button-follow-up-on = 🔁 Come back: yes
canvass-button-follow-up-off = 🔁 Come back: no
canvass-button-save = ✅ Save
canvass-button-resident-agrees = ✅ The resident agrees
canvass-button-back = ◀️ Back
canvass-button-confirm = ✅ Correct
canvass-button-confirm-consent = ✅ Correct, the resident agrees to be contacted
canvass-button-confirm-no-contact = ✅ Correct, but without the contact
canvass-button-edit = ✏️ Fix
canvass-button-cancel = ❌ Cancel

canvass-ask-building = Which building? Type the address (e.g. "Lenina 5" or "Lenina 5k2"), share your location 📍 or pick the last building.
canvass-building-options = "{ $typed }" is not in the district's list. One of these, perhaps?
canvass-building-not-found = "{ $typed }" was not found in the district's list. Check the street and house number, or share your location.
canvass-not-in-district = This building is not in your district.
canvass-building-review = ⚠️ The address is not in the district's list: it was added and awaits review.
canvass-location-found = 📍 Nearest building: { $address } ({ $metres } m).
canvass-location-far = 📍 The nearest listed building is { $address }, but it is { $metres } m away. Notes will be flagged for review; if you are at another building, type its address.
canvass-location-nothing = No building of the district's list has coordinates. Type the address.
canvass-history = 🕘 <b>{ $address }</b>: visited before ({ $count }), latest first:
canvass-history-line = • apt { $apartment } — { $outcome } ({ $date })
canvass-ask-apartment = 🏠 <b>{ $address }</b> (apartments: { $apartments }). Apartment number?
canvass-apartment-invalid = An apartment number is a number, e.g. 12 or 12a. Send it again.
canvass-apartment-too-big = { $address } has { $apartments } apartments; there is no apartment { $number }. Check the number.
canvass-ask-outcome = Apt { $apartment }: how did it go?
canvass-press-outcome = Pick the outcome with a button.
canvass-expected-text = Please send text (or your location to pick the building).
canvass-use-buttons = Use the buttons below, or /cancel.
canvass-outcome-missing = Pick the outcome first.

canvass-draft = 🏠 <b>{ $address }</b>, apt { $apartment }
    Outcome: { $outcome }
canvass-draft-topics = Topics: { $topics }
canvass-draft-contact = 📇 Contact (with consent): { $name }, { $phone }
canvass-draft-note = 📝 { $note }
canvass-draft-voice = 🎤 Voice note
canvass-draft-follow-up = 🔁 Come back later
canvass-draft-hint = Tick topics, add a contact or a note — or just "Save".
canvass-contact-consent = A contact is recorded <b>only with the resident's explicit consent</b>: they know the candidate will contact them before the election, and may ask to delete the number at any time. Does the resident agree?
canvass-ask-contact-name = The resident's name (as they introduced themselves)?
canvass-contact-name-invalid = A name in letters, please. Send it again.
canvass-ask-contact-phone = The resident's phone number?
canvass-contact-phone-invalid = That does not look like a phone number. Example: +7 911 123-45-67.
canvass-ask-note = Write a note (up to { $limit } characters) or record a voice message.
canvass-note-empty = The note is empty. Write some text or record a voice message.
canvass-note-too-long = Too long: { $length } characters, up to { $limit } allowed.
canvass-saved = ✅ Saved: { $address }, apt { $apartment } — { $outcome }.
    Next apartment — send its number or press the button.

canvass-line-parsed = Here is what I understood — correct?
canvass-line-no-address = I see no address at the start of the line. Example: <code>Lenina 5 apt 12 supporter</code>
canvass-line-no-outcome = I see no outcome: supporter, undecided, against, refused, no answer or later.
canvass-line-bad-phone = "{ $phone }" does not look like a phone number.
canvass-line-unknown-address = "{ $address }" is not in the district's list.
canvass-line-cancelled = ❌ Note cancelled.
canvass-already-confirmed = This note is saved already.

canvass-summary = 🚪 <b>District canvass</b>
    Buildings visited: { $visited } of { $buildings } · apartments listed: { $apartments }
    Doors: { $doors } · notes: { $notes }
    Contacts with consent: { $contacts } · come back: { $follow_ups } · to review: { $flagged }
canvass-summary-outcomes = <b>Outcomes</b> (the latest note at each door):
canvass-summary-topics = <b>Topics:</b>
canvass-summary-coverage = <b>Building coverage</b> (apartments visited / total):
canvass-summary-activity = <b>Team</b> (notes in total / this week):
canvass-activity-line = • { $name }: { $notes } / { $week } · ⚠️ { $flagged }
canvass-summary-review = ⚠️ Addresses awaiting review: { $count }.
canvass-chart-title = Canvass outcomes
canvass-chart-doors = Doors
canvass-chart-caption = Canvass outcomes by door.
canvass-button-follow-ups = 🔁 Come back ({ $count })
canvass-button-gotv = 🗳 GOTV list
canvass-button-flags = ⚠️ Review ({ $count })
canvass-button-volunteers = 👥 Volunteers and link
canvass-button-export-xlsx = 📥 Export XLSX
canvass-button-export-csv = 📥 CSV
canvass-button-upload = 🏠 Upload addresses (CSV)

canvass-follow-ups = 🔁 <b>Where to come back</b> ({ $count }):
canvass-follow-up-line = • { $address }, apt { $apartment } — { $outcome } ({ $date })
canvass-follow-ups-empty = Nowhere to come back to yet.
canvass-button-done = ✅ { $address }
canvass-follow-up-done = Done.

canvass-gotv-head = 🗳 <b>Supporters who agreed to be contacted</b>: { $count }
canvass-gotv-push = 🗳 { $days ->
        [one] { $days } day
       *[other] { $days } days
    } to the election. Time to remind your supporters — before the silence day.
canvass-gotv-station = <b>Polling station { $station }</b>
canvass-gotv-person = { "   " }apt { $apartment } · { $name } · { $phone }
canvass-gotv-more = … the full list is in the export (/canvass → Export).
canvass-gotv-empty = No supporters with consent and a phone yet.

canvass-flags = ⚠️ <b>Notes to review</b> ({ $count }):
canvass-flag-line = • { $at } · { $volunteer } · { $address }, apt { $apartment } — { $reasons }
canvass-flags-empty = No suspicious notes.
canvass-staff-flags = ⚠️ <b>Canvassing: notes to review, by candidate</b>
canvass-staff-flag-line = • { $name }: { $count }

canvass-volunteers = 👥 <b>Volunteers</b>: { $count }
    Invite link (for your team only):
    { $link }
canvass-button-remove = ✖ { $name }
canvass-button-new-link = 🔄 New link (the old one stops working)
canvass-volunteer-removed = The volunteer was removed from the team.

canvass-export-header = Date|Volunteer|Address|Apartment|Polling station|Outcome|Topics|Come back|Resident's name|Resident's phone|Consent|Note|Review
canvass-export-sheet = Canvass
canvass-export-caption = Canvass notes: { $count }. The file holds personal data — do not forward it.
canvass-export-empty = No notes yet.

canvass-upload-prompt = Send the district's address list as a CSV file. Columns: street, house, building, apartments, and optionally latitude, longitude, polling_station. Leave: /cancel
canvass-upload-not-csv = A .csv file is needed.
canvass-upload-too-big = The file is larger than { $limit } MB.
canvass-import-usage = Format: /import_addresses Municipal formation District number, e.g.: /import_addresses Гавань 2
canvass-unknown-district = No such district (or it is outside your scope).
canvass-import-empty = The file is empty.
canvass-import-header = The first line must name the columns, at least street and house.
canvass-import-too-many = Too many rows: up to { $limit }.
canvass-import-summary = 🏠 Address list loaded: { $rows } rows, { $added } new buildings, { $updated } updated.
    For review: { $review } · already in another district: { $other }.
canvass-import-review-lines = Lines for review: { $lines }
canvass-privacy = Canvassing: volunteer in { $teams } team(s), { $notes } notes of yours (display name encrypted; after /forget_me the notes stay with the candidate without your name)
canvass-button-erase = 🗑 Erase a resident's contact
canvass-erase-prompt = Did a resident withdraw their consent? Send their phone number — the name and number are erased from every note (the door notes stay without them). Leave: /cancel
canvass-erased = Done: the contact was erased from { $count } note(s).
canvass-coverage-sheet = Buildings
canvass-coverage-header = Address|Polling station|Apartments|Doors visited|Coverage, %|Review
canvass-coverage-review = address under review
canvass-export-how = How should it leave? The file holds residents' phones and notes: by default an encrypted archive, its password shown once. The bot asks for your PIN first (set one with /pin).
canvass-button-mode-encrypted = 🔒 Encrypted archive (recommended)
canvass-button-mode-pseudo = 🎭 Pseudonymised (no names, apartments or notes)
canvass-button-mode-plain = ⚠️ Unencrypted
