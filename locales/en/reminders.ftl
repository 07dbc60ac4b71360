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

## /settings

settings-screen = <b>Reminders</b>
    Tap a kind of reminder to turn it on (🔔) or off (🔕).
    Quiet hours: { $quiet }: the bot stays silent then, and reminders come in the morning.
settings-kind-deadline = Task deadlines
settings-kind-calendar = Election dates
settings-kind-nudge = When the quest stands still
settings-kind-digest = Daily summary (coordinators)
settings-kind-stalled = A candidate without progress (coordinators)
settings-quiet-off = no quiet hours
settings-saved = Saved
cmd-settings = Reminders and quiet hours
