## Reminders

reminder-open-quest = 🗺 Open the quest
reminder-open-task = ▶️ Open the task
reminder-deadline = ⏰ “{ $title }”: { $left } (due { $date }).
reminder-today = today
reminder-on = on { $date }
reminder-calendar = 📅 { $event }: { $when }. The quest shows what to do by then.
reminder-nudge = { $days ->
        [one] { $days } day
       *[other] { $days } days
    } without a step in the quest. One small step today and the campaign is moving again.
reminder-stalled = Candidate { $name }: { $days ->
        [one] { $days } day
       *[other] { $days } days
    } without progress in the quest. They may need help.
reminder-digest = <b>Today's summary</b>
    Waiting for a check: { $waiting }
    Candidates without progress for a week or more: { $stalled }
    Check: /pending
