# Protection: the PIN, the audit log, the emergency wipe, safe exports.

pin-ask = 🔐 Enter your PIN to continue. The message with the PIN is deleted from the chat at once.
pin-ask-current = 🔐 Enter your current PIN. The message is deleted from the chat at once.
pin-ask-new = 🔐 Choose a PIN: 6 to 12 digits, not one digit repeated and not a run (not 123456). The message is deleted from the chat at once.
pin-ask-repeat = Enter the PIN once more.
pin-format = A PIN is 6 to 12 digits. Please try again.
pin-too-simple = That PIN is easy to guess. Please choose another.
pin-mismatch = The PINs did not match. Please choose a PIN again.
pin-saved = ✅ PIN saved. The bot asks for it before exports, role grants and other dangerous actions.
pin-wrong = Wrong PIN. Attempts left: { $left }.
pin-locked = ⛔ Too many wrong attempts. The PIN is locked until { $until }. If this was not you, tell an admin.
pin-not-set = Set a PIN first with /pin: dangerous actions are not available without it.
pin-nothing-pending = PIN accepted, but the action has expired. Please repeat the command.
pin-reset-usage = Usage: /pin_reset &lt;user id&gt;
pin-reset-done = The PIN of user { $user_id } was reset: they set a new one with /pin.
pin-reset-none = User { $user_id } has no PIN.

audit-usage = Usage: /audit [user id] — the latest log entries, optionally of one person.
audit-no-key = The keys were destroyed: the log cannot be verified.
audit-title = <b>Access log</b>, latest entries: { $count }
audit-chain-ok = ✅ The log chain is intact: { $sealed } entries checked, { $erased } of them pseudonymised on erasure requests.
audit-chain-broken = ⚠️ The log chain is broken, problems: { $count }. { $problems }
audit-head = Fingerprint of the last entry: <code>{ $head }</code> — note it outside the server to notice a substitution later.

wipe-warning = ⚠️ <b>Emergency key wipe.</b> All encrypted data becomes unreadable for ever, in the database and in every backup. This cannot be undone. Two different admins are needed, each with their PIN.
wipe-already-requested = You have already requested the wipe: another admin must confirm it (/wipe_confirm).
wipe-confirm-instead = Another admin has already requested the wipe. To confirm: /wipe_confirm; to cancel: /wipe_cancel.
wipe-requested = Request accepted. Another admin must confirm it with /wipe_confirm within { $minutes } min. To cancel: /wipe_cancel.
wipe-asks-you = ⚠️ Admin { $admin_id } requested the emergency key wipe. To confirm: /wipe_confirm. To cancel: /wipe_cancel.
wipe-nothing-pending = There is no open request to wipe the keys.
wipe-needs-second-admin = Another admin must confirm, not the one who asked.
wipe-done = 🔥 The keys are destroyed ({ $keys } data keys). The encrypted data can no longer be read, in the database or in any copy.
wipe-file-destroyed = The master key file was overwritten and removed. Stop the bot.
wipe-env-key = The master key comes from the environment (DATA_KEY): delete it from the secret store and from every server, then stop the bot. The bot will not start with that key again.
wipe-cancelled = The wipe request was cancelled.

export-plain-warning = ⚠️ You asked for an <b>unencrypted</b> export. The file stays on Telegram's servers and on all your devices. Do not forward it, and delete it right after use.
export-password = 🔑 Archive password: <code>{ $password }</code>
    It is shown once and stored nowhere. Keep it apart from the file and delete this message.

anomaly-alert = ⚠️ Unusual activity: user { $actor } — { $count } views/exports of personal data in { $minutes } min (rule "{ $rule }"). Their access is limited for now. Check: /audit { $actor }
anomaly-slow-down = ⏳ Too many requests for personal data in a row. Please wait a little and try again.

cmd-pin = Set or change your PIN
cmd-audit = Access log and chain check
cmd-pin-reset = Reset someone's PIN
cmd-wipe = Emergency key wipe
cmd-wipe-confirm = Confirm the key wipe
cmd-wipe-cancel = Cancel the key wipe
