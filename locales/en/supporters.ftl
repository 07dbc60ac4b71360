## The coalition's supporter base: import, duplicates, districts, consents

cmd-supporters = Supporters (your district, or your own record)
cmd-import-supporters = Upload an organisation's supporter file
cmd-export-supporters = Export supporters (CSV)
cmd-supporters-review = Possible duplicate supporters

supporters-purpose-contact = contact by the coalition's candidates
supporters-purpose-volunteer = volunteering
supporters-purpose-news = newsletters
supporters-consent-none = no consents
supporters-button-done = Done
supporters-button-agree = I agree
supporters-button-decline = I don't agree

supporters-join-intro =
    <b>Become a supporter of the coalition</b>
    We will keep your name, phone and address encrypted, to find your electoral district. Candidates see you only if you allow them to contact you; you can change your consents at any time (/supporters) and erase everything with /forget_me.
    Do you agree to the processing of this data?
supporters-join-declined = All right, nothing was stored. If you change your mind, open the link again.
supporters-ask-name = What is your name? Surname and first name (a patronymic too, if you like).
supporters-ask-phone = Share your phone number with the button below.
supporters-own-contact = We need your own number: press "Share contact".
supporters-ask-address = Your address: street and house (e.g. "Lenina 5 k2"). No flat number needed.
supporters-address-unclear = No house number found. Write the street and house, e.g. "Nevsky pr. 28".
supporters-address-found = ✅ The address is in the district list.
supporters-address-not-found = The address is not in the district list yet: the coordinators will check it by hand.
supporters-ask-consents = What do you agree to? Tick and press "Done".
supporters-text-only = Please send text. To leave: /cancel
supporters-joined = 🙌 Thank you! You are in the coalition's supporter base.
supporters-not-allowed = This data is not available to you.
supporters-own-card =
    <b>Your supporter record</b>
    Name: { $name }
    Phone: { $phone }
    District: { $district }
    Consents (press to change):
supporters-consent-saved = Saved

supporters-empty-staff = No supporters in your scope yet.
supporters-empty-candidate = No supporters in your district have agreed to be contacted by candidates yet.
supporters-staff-title = <b>Supporters</b>: { $count }. Address not in the list: { $unassigned }. Possible duplicates: { $review } (/supporters_review).
supporters-candidate-title = <b>Supporters in your district</b> who agreed to be contacted by candidates: { $count }. Do not forward their data.
supporters-unassigned-title = <b>Supporters without a district</b> (address not in the list): { $count }
supporters-page = page { $page } of { $pages }
supporters-item = #{ $id } · <b>{ $name }</b> · { $phone } · { $email }
    { $consents }
supporters-button-unassigned = Without a district
supporters-export-caption = Supporters: { $count }. ⚠️ Personal data: do not forward this file and delete it after use. The export is in the audit log.

supporters-review-empty = No possible duplicates.
supporters-review-title = <b>Is this one person?</b> Name similarity: { $score } of 100.
supporters-review-card = #{ $id } · <b>{ $name }</b>
    Phone: { $phone }
    Address: { $address }
supporters-button-same = One person: merge
supporters-button-different = Different people
supporters-review-saved = Saved
supporters-review-gone = This pair is already decided or not available to you.

supporters-import-no-organisation = Files can be uploaded by organisations' coordinators and admins.
supporters-import-which-organisation = Which organisation is the file from?
supporters-import-send-file = Send a CSV or XLSX file (up to { $limit } MB). The first row holds the column names. To leave: /cancel
supporters-import-file-expected = Send the file as a document (CSV or XLSX). To leave: /cancel
supporters-mapping-title = <b>The file's columns</b>:
supporters-mapping-line = { $letter }. "{ $title }" → { $field }
supporters-mapping-ignored = do not import
supporters-mapping-question = Is this right? Press a column's letter to change it, or "Check".
supporters-mapping-which-field = What is in column { $letter }?
supporters-button-check = Check (writes nothing)
supporters-button-cancel = Cancel
supporters-button-import = Import
supporters-import-confirm = Import the file?
supporters-import-cancelled = Import cancelled, nothing was written.
supporters-field = { $field ->
    [full_name] full name
    [last_name] surname
    [first_name] first name
    [middle_name] patronymic
    [phone] phone
    [email] e-mail
    [address] address
    [birth_date] birth date
    [consent] consent (to everything)
    [consent_contact] consent to contact by candidates
    [consent_volunteer] consent to volunteering
    [consent_news] consent to newsletters
    [tags] tags
    [event] event / source
    [date] date
    [external_id] record id
   *[other] { $field }
}

supporters-report-refused = ❌ <b>File not imported</b> ({ $rows } rows): it has errors. Nothing was written: fix them and send it again.
supporters-report-dry =
    <b>Check</b> ({ $rows } rows), nothing written:
    new people: { $created }, merged with known ones: { $merged }, unchanged: { $unchanged }, updated: { $updated }
    possible duplicates to review: { $review }, address not in the district list: { $unassigned }, rows skipped: { $skipped }
supporters-report-done =
    ✅ <b>Imported</b> ({ $rows } rows):
    new people: { $created }, merged with known ones: { $merged }, unchanged: { $unchanged }, updated: { $updated }
    possible duplicates to review: { $review } (/supporters_review), address not in the district list: { $unassigned }, rows skipped: { $skipped }
supporters-report-more = … and { $count } more.

supporters-problem-columns = Row { $row }: the number of cells differs from the header.
supporters-problem-broken = Row { $row }: broken (an unclosed quote?).
supporters-problem-formula = Row { $row }: a formula in a cell ({ $column }); formulas are not imported, replace it with its value.
supporters-problem-too-long = Row { $row }: a cell is too long.
supporters-problem-id = Row { $row }: the record id is too long.
supporters-problem-duplicate-id = Row { $row }: the record id repeats.
supporters-problem-skip-no-name = Row { $row }: no name, skipped.
supporters-problem-skip-no-contact = Row { $row }: nothing but a name, skipped.
supporters-problem-bad-phone = Row { $row }: the phone is not a phone; imported without it.
supporters-problem-bad-email = Row { $row }: the e-mail is not an e-mail; imported without it.
supporters-problem-bad-birth = Row { $row }: the birth date is not a date; imported without it.

supporters-error-encoding = The file's text cannot be read: save it as UTF-8 or Windows-1251 (CSV), or as XLSX.
supporters-error-empty = The file is empty or has no header row.
supporters-error-too-many-rows = The file has more than { $limit } rows: split it.
supporters-error-xlsx = The XLSX file is damaged, or not an XLSX file.
supporters-error-too-big = The file is { $size_mb } MB; the limit is { $limit_mb } MB: split it.
supporters-error-unknown-field = No such field: { $field }.
supporters-error-unknown-column = The file has no column "{ $column }".
supporters-error-no-name-column = No name column found (full name, surname or first name): point to it.
supporters-error-unknown-org = No organisation with the code "{ $code }".
supporters-error-unknown-district = No such district.
supporters-error-purpose = No such consent.
supporters-pin-again = 🔐 This list opens with your PIN and has closed (more than 15 minutes passed). Send the command again.
supporters-export-usage = Usage: /export_supporters [pseudo|plain] — CSV in an encrypted archive by default (the password is shown once); pseudo — no names or addresses, masked contacts; plain — unencrypted (not recommended). The bot asks for your PIN first.
