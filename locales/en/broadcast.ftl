## /broadcast: the coordinators' message to candidates

broadcast-header = 📣 <b>From the coordinators</b>
broadcast-choose-segment = <b>Broadcast</b>
    Who should get it? Only candidates within your scope will.
broadcast-seg-all = All candidates
broadcast-seg-stage = At a quest stage…
broadcast-seg-org = From an organisation…
broadcast-seg-mf = From a municipal formation…
broadcast-seg-stalled = No progress for { $days ->
        [one] { $days } day
       *[other] { $days } days
    } or more
broadcast-choose-stage = Which quest stage are they at? (candidates in brackets)
broadcast-choose-org = Which organisation? (candidates in brackets)
broadcast-choose-mf = Which municipal formation? (candidates in brackets)
broadcast-nobody = There are no candidates in this group you can write to.
broadcast-unknown-segment = That group no longer exists. Start again: /broadcast
broadcast-ask-text = Recipients: { $segment } — { $count }.
    Type the message in one go (up to { $limit } characters). Formatting is not kept: the text goes out as typed. To leave: /cancel
broadcast-empty = An empty message can't be sent. Please type the text.
broadcast-too-long = Too long: { $length } characters, the limit is { $limit }. Please shorten it.
broadcast-text-only = A broadcast is text only. Type the message or /cancel.
broadcast-preview = This is what the recipients will see ({ $segment }: { $count }). Send it?
broadcast-confirm = ✅ Send ({ $count })
broadcast-cancel = ✖️ Cancel
broadcast-cancelled = Broadcast cancelled.
broadcast-queued = 📣 Broadcast queued for { $count ->
        [one] { $count } recipient
       *[other] { $count } recipients
    }. Messages go out gradually; during quiet hours, in the morning.
    Progress: /broadcast_status { $id }
broadcast-already = This broadcast has been sent already. Progress: /broadcast_status { $id }
broadcast-status-usage = Give the broadcast's number: /broadcast_status &lt;number&gt;
broadcast-status-unknown = Broadcast { $id } not found.
broadcast-status = <b>Broadcast { $id }</b>
    Total: { $total }
    Sent: { $sent }
    Queued: { $pending }
    Not delivered (bot blocked or expired): { $dropped }
    Errors: { $failed }
cmd-broadcast = Message the candidates
cmd-broadcast-status = Broadcast progress

## Live progress: the bot edits this message while the broadcast goes out
broadcast-live = ⏳ <b>Broadcast { $id }: sending</b>
    Sent: { $sent } of { $total }
    Blocked the bot: { $blocked }
    Not delivered: { $failed }
    Left: { $pending }
broadcast-live-done = ✅ <b>Broadcast { $id } finished</b>
    Sent: { $sent } of { $total }
    Blocked the bot: { $blocked }
    Not delivered: { $failed }
