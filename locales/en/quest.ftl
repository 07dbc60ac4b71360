## The campaign quest

quest-register-first = The quest opens after you register as a candidate: /start
quest-stage-head = <b>Stage { $number } of { $total }: { $title }</b>
quest-points = ⭐ { $points } { $points ->
        [one] point
       *[other] points
    } · level { $level }
quest-stages-head = <b>All campaign stages</b> · ⭐ { $points } · level { $level }
quest-button-about = ℹ️ About this stage
quest-button-stages = 🗺 All stages
quest-button-back = ◀️ Back to the stage
quest-button-next = Next ▶️
quest-button-read = ✅ Done reading
quest-button-request = 📨 Send to the coordinator
quest-button-skip = Skip
quest-days-left = { $days ->
        [0] due today
        [one] { $days } day left
       *[other] { $days } days left
    }
quest-overdue = { $days ->
        [one] { $days } day overdue
       *[other] { $days } days overdue
    }
quest-locked-after = first: “{ $what }”
quest-locked-window = opens on { $date }
quest-locked-date-unknown = opens when the commission announces the date
quest-locked-approval = a coordinator opens it
quest-task-closed = This task's time has passed: it is closed.
quest-unknown-task = No such task. Open /quest again.
quest-nothing-to-approve = Nothing to approve here.
quest-page = Page { $number } of { $total }
quest-checklist-hint = Tick the items as you do them: the task counts when all are ticked.
quest-question = <b>Question { $number } of { $total }.</b>
quest-example = For example: { $example }
quest-yes = Yes
quest-no = No
quest-answer-required = This question is required: please answer it.
quest-answer-too-long = Too long: at most { $limit } characters.
quest-answer-number = A whole number is expected, for example: 12
quest-answer-text = Please answer with text, or leave the questionnaire with /cancel (answers are kept).
quest-upload-hint = Send a photo or a PDF (up to { $limit } MB). Leave: /cancel
quest-upload-expected = A file is expected here: a photo or a PDF. Leave: /cancel
quest-upload-kind = This type of file won't do: a photo or a PDF is needed.
quest-upload-too-big = The file is over { $limit } MB. Compress it or take the photo again.
quest-counter = Now: { $count } of { $target } { $unit }
quest-counter-hint = Type how many to add (e.g. 15), or “=120” to set the total. Leave: /cancel
quest-count-range = The number must be between 0 and { $limit }.
quest-approval-requested = Sent to the coordinator. Once they confirm, the task counts.
quest-waiting = ⏳ Waiting for the coordinator's check.
quest-returned = ↩️ The coordinator returned the task: { $comment }
quest-action-soon = The work happens in the “{ $action }” section: { $command }. The task counts by itself once it is done.
quest-action-documents = Documents
quest-action-fund = Electoral fund
quest-action-canvass = Door-to-door canvassing
quest-action-materials = Campaign materials
quest-action-supporters = Supporters
quest-task-done = ✅ Done: “{ $title }” (+{ $points })
quest-task-submitted = 📨 “{ $title }” was sent to the coordinator for a check.
quest-opened = Now open:
quest-reloaded = Quest reloaded: { $stages } stages, { $tasks } tasks (version { $version }).
quest-reload-failed = The quest was NOT reloaded: the previous one keeps running. Errors: { $count }.
    { $errors }
cmd-quest = Campaign quest
cmd-reload-quests = Reload the quest
error-inn-format = An INN is 10 digits (an organisation) or 12 digits (a person).
error-inn-checksum = The INN has a mistake: its check digits don't match. Check it against your certificate.
error-snils-format = A SNILS is 11 digits, for example: 112-233-445 95
error-snils-checksum = The SNILS has a mistake: its checksum doesn't match. Check it against your SNILS card.
error-date-format = Write the date as dd.mm.yyyy, for example: 07.03.1985
error-date-invalid = There is no such date. Check the day and the month.

## Coordinators' review

review-empty = Nothing is waiting for a check. 👍
review-list = Waiting for a check: { $count }. Open one to look and decide:
review-card = <b>{ $name }</b>, “{ $task }”
review-approve = ✅ Accept
review-return = ↩️ Return
review-ask-comment = Write to the candidate what to fix (one message):
review-gone = This task has been checked already or is not available.
review-done-approved = Accepted. The candidate was notified.
review-done-returned = Returned with your comment. The candidate was notified.
review-approved-notice = ✅ The coordinator accepted “{ $title }”.
review-returned-notice = ↩️ The coordinator returned “{ $title }”: { $comment }
review-open-quest = Quest: /quest
cmd-pending = Tasks to check
quest-already-done = This task is done already.
button-menu-quest = 🗺 Campaign quest
