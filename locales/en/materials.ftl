## Campaign materials: the leaflet builder (/materials), the print-run registry, the directory (/resources)

cmd-materials = Leaflets and the print-run registry
cmd-resources = Vetted designers and print houses
quest-action-print_runs = Print-run registry

materials-register-first = The leaflet builder is open to registered candidates: /start
materials-staff-only = Only coordinators can do this.
materials-gone = This is gone or is not yours. Open it again: /materials
materials-saved = ✅ Saved.
materials-text-expected = Please send the text as one message. To leave: /cancel
materials-too-long = Too long: { $length } characters, at most { $limit }. Please shorten it and send it again.
materials-too-many = You cannot have more than { $limit } — remove some or ask your coordinator.
materials-too-many-versions = This leaflet has { $limit } versions already. Start a new leaflet.
materials-current = Now it reads:
    <i>{ $text }</i>

materials-menu = <b>Campaign materials</b>
    { $count ->
        [0] No leaflets yet. Shall we start the first one?
        [one] You have { $count } leaflet.
       *[other] You have { $count } leaflets.
    }

    Every printed item carries the imprint (67-FZ, art. 54), and a copy goes to the commission before distribution. The bot keeps an eye on both.
materials-button-new = 🆕 New leaflet
materials-button-leaflet = 📄 Leaflet No. { $number } · { $template }
materials-button-runs = 📦 Print runs
materials-button-resources = 🎨 Designers and print houses
materials-button-back = ◀️ Back to materials
materials-button-back-card = ◀️ Back to the leaflet

materials-template-a5 = A5, one-sided
materials-template-a4 = A4, two-sided
materials-template-door = Door hanger 10×21 cm
materials-choose-template = Choose a template. You can change it later — the text is laid out again.
    • <b>A5</b> — the classic letterbox leaflet;
    • <b>A4 two-sided</b> — more room for the programme;
    • <b>door hanger</b> — hangs on a door handle, with a die-cut hole.
materials-created = Leaflet No. { $number } ({ $template }) created. Let's build it step by step.

materials-photo-rules = <b>Photo rules</b> (67-FZ, art. 54 and commission practice)
    • <b>No children under 18</b> — not even your own.
    • Other recognisable people only with their <b>written consent</b>; the consents go to the commission with the item.
    • A crowd where no one can be recognised is allowed. AI-generated people were refused by a commission in 2025.

    Are there children in the photo you are going to send?
materials-button-no-children = No children in the photo
materials-button-children = There is a child in the photo
materials-no-children = Photos with children may not be used in campaign materials, even with the parents' consent. Please choose another photo.
materials-ask-others = Are there other recognisable people in the photo?
materials-button-only-me = Only me in the photo
materials-button-consent = Yes, I have their written consent
materials-button-no-consent = Yes, without consent
materials-need-consent = A person's image may not be used without their written consent. Get the consent or choose another photo.
materials-consent-reminder = Fine. Remember: the consents go to the commission together with a copy of the leaflet.
materials-ask-photo = Send the photo: JPEG or PNG, up to { $limit } MB, at least { $side } pixels on the short side. For the best print send it <b>as a file</b> (uncompressed). To leave: /cancel
materials-photo-expected = Waiting for a photo (JPEG or PNG, up to { $limit } MB). To leave: /cancel
materials-photo-type = This is neither JPEG nor PNG. Please send the photo in one of these formats.
materials-photo-too-big = The file is too big: up to { $limit } MB (and at most 50 megapixels). Please make it smaller and send it again.
materials-photo-too-small = The photo is too small to print: it needs at least { $side } pixels on the short side.
materials-photo-broken = This file does not open as an image (it is damaged or not a photo). Please send another one.
materials-photo-saved = ✅ Photo saved (its metadata removed).

materials-ask-bio = Write briefly about yourself (up to { $limit } characters): who you are, what you do, how you are tied to the neighbourhood. Paragraphs on new lines. To leave: /cancel
materials-ask-points = Write { $low }–{ $high } points of your programme, each on a new line (up to { $limit } characters each). To leave: /cancel
materials-ask-contacts = How to reach you: phone, website, social media, e-mail (up to { $limit } characters). This is printed on the leaflet. To leave: /cancel
materials-points-count = It takes { $low } to { $high } points, each on a new line; there are { $count }.
materials-point-too-long = Point { $number } is too long: { $length } characters, at most { $limit }.

materials-part-photo = Photo
materials-part-bio = About me
materials-part-points = Programme
materials-part-contacts = Contacts
materials-part-name = Full name
materials-part-subtitle = Line under the name
materials-part-imprint = Imprint
materials-chars = { $count ->
        [one] { $count } character
       *[other] { $count } characters
    }
materials-points-n = { $count ->
        [one] { $count } point
       *[other] { $count } points
    }

materials-card-head = <b>Leaflet No. { $number }</b> · { $template }
materials-card-consents = other people in the photo: their consents go to the commission with the leaflet
materials-card-imprint-missing = Imprint: missing — { $fields }
materials-card-imprint-ok = The imprint is complete
materials-card-versions = Files made: { $count }, the latest is version { $last } ({ $kind })
materials-card-hint = A "Draft" can be made at any time; "For print" once the imprint is complete. Any part can be changed and a file made again.
materials-button-draft = 📄 Draft
materials-button-final = 🖨 For print
materials-button-edit-photo = 🖼 Photo
materials-button-edit-bio = ✍️ About me
materials-button-edit-points = 📋 Programme
materials-button-edit-contacts = ☎️ Contacts
materials-button-imprint = 🧾 Imprint
materials-button-template = 📐 Template
materials-button-versions = 🗂 Versions

materials-imprint-head = <b>The imprint</b> — as it will be printed (in Russian, as the law requires):
materials-imprint-hint = The customer is you, the candidate; the line on payment from the electoral fund is added by itself. If the printer is a sole trader, write "ИП Surname I. O." and the 12-digit INN.
materials-button-fill-imprint = 🧾 Fill in the imprint
materials-imprint-customer = customer (the candidate's full name)
materials-imprint-printer-name = printer
materials-imprint-printer-address = printer's address
materials-imprint-printer-inn = printer's INN
materials-imprint-copies-name = print run
materials-imprint-issued-on = date of issue
materials-ask-printer-name = The printer's name as in the contract (e.g. ООО «Типография Нева» or ИП Петров П. П.). To leave: /cancel
materials-ask-printer-address = The printer's legal address with the postcode (e.g. 190000, Санкт-Петербург, ул. Примерная, д. 1). To leave: /cancel
materials-ask-printer-inn = The printer's INN: 10 digits for a company, 12 for a sole trader. To leave: /cancel
materials-ask-copies = The print run — how many copies are printed (a number, as in the contract). To leave: /cancel
materials-ask-issued-on = The date of issue as dd.mm.yyyy. To leave: /cancel
materials-imprint-name-short = The name is too short — write it as in the contract.
materials-imprint-address-short = A full legal address is needed: town, street and house number.
materials-imprint-copies = The print run is a whole number from 1 to { $limit }.
materials-imprint-complete = ✅ The imprint is complete. You can make the print file now.

materials-making = Laying out…
materials-missing-parts = The file still needs: { $parts }. Add them on the leaflet's card.
materials-missing-imprint = A print file cannot be made without the imprint (67-FZ, art. 54). Missing: { $fields }.

    A draft marked "ОБРАЗЕЦ" (sample) can be made right now.
materials-does-not-fit = "{ $part }" does not fit the template even at the smallest size allowed. Shorten it by about { $excess } characters or choose a larger template (A4).
materials-file-draft = 📄 Leaflet No. { $number }, version { $version } — a DRAFT (ОБРАЗЕЦ), not for print.
materials-file-final = 🖨 Leaflet No. { $number }, version { $version } — the print file (3 mm bleed). Before distribution lodge a copy with the commission and register the print run.
materials-preview = This is how the leaflet looks after trimming (version { $version }).
materials-draft = draft
materials-final = for print
materials-file-again = Version { $number } ({ $kind })
materials-versions-head = <b>Versions of leaflet No. { $number }</b>, latest first:
materials-version = • version { $number } — { $kind }, { $date }
materials-button-file = 📎 Version { $number } ({ $kind })
materials-button-run = 📦 Register the print run of version { $number }

materials-ask-cost = The print run of leaflet No. { $number }, version { $version }: { $copies } copies, issued { $date } — as in the imprint.

    How much did it cost from the electoral fund, in rubles (e.g. 12 500 or 12 500,50)? To leave: /cancel
materials-cost-format = Write the amount in rubles as a number, e.g. 12 500 or 12 500,50.
materials-run-needs-final = Only a print file goes into the registry, not a draft.
materials-run-exists = This run is in the registry already. For a reprint make a new file with a new date and run.
materials-run-saved = ✅ Print run No. { $number } registered, { $cost } ₽ from the fund.
materials-runs-empty = No print runs in the registry yet. A run is registered from a print file: leaflet → "Versions" → "Register the print run".
materials-runs-head = <b>Print runs</b> ({ $count })
materials-run = <b>No. { $number }</b> · { $item } · { $template }
    { $copies } copies · issued { $date }
    Printed by: { $printer }
    From the electoral fund: { $cost } ₽
    { $mark } Copy lodged with the commission before distribution
materials-runs-total = Spent on printing from the fund: <b>{ $cost } ₽</b>
materials-runs-warning = ⚠️ A run without the commission tick may not be distributed.
materials-button-tick = { $mark } No. { $number }: copy lodged with the commission
materials-reminder = 📦 The print run "{ $item }" ({ $copies } copies, issued { $date }) is not yet marked as lodged with the commission. It may be distributed only after a copy is lodged (67-FZ, art. 54).
materials-button-reminder-tick = ☑️ Copy lodged

materials-res-head = <b>Vetted designers and print houses</b> — recommended by the coordinators.
materials-res-designers = Designers
materials-res-printers = Print houses
materials-res-none = no one yet
materials-res-staff-hint = Add with the buttons below; ✏️ edit, 🗑 remove an entry.
materials-res-add-designer = ➕ Designer
materials-res-add-printer = ➕ Print house
materials-res-ask-name = Name (up to 120 characters). To leave: /cancel
materials-res-ask-contact = Contacts: phone, website, Telegram (up to 300 characters). To leave: /cancel
materials-res-ask-note = A short description: what they do, prices, lead times (up to 500 characters). No description — send "-". To leave: /cancel
materials-res-edit = What to change in "{ $name }"?
materials-res-field-name = Name
materials-res-field-contact = Contacts
materials-res-field-note = Description
materials-res-ask-field = The new value of "{ $field }". To leave: /cancel
materials-res-confirm-delete = Remove "{ $name }" from the directory?
materials-res-button-delete = 🗑 Yes, remove
materials-res-deleted = Removed.

privacy-materials = Leaflets: { $leaflets }, print runs registered: { $runs } (texts and photos encrypted)
