## The coordinators' directory of candidates

directory-filter-usage = Filters: org:&lt;organisation code&gt;, mf:&lt;formation&gt;, stalled (no progress for a week or more). For example: /candidates org:civic stalled
directory-find-usage = Type a name (or part of it), a phone or a number: /candidate Ivanova
directory-no-usernames = Shtab does not keep Telegram usernames. Search by name, phone or number.
directory-idle = { $days ->
        [0] active today
        [one] idle for { $days } day
       *[other] idle for { $days } days
    }
directory-list = <b>Candidates: { $count }</b> (page { $page } of { $pages }); the longest idle first:
directory-empty = Nobody found.
directory-not-found = No such candidate, or outside your scope.
directory-card =
    <b>{ $name }</b>
    Organisation: { $organisation }
    District: { $district }
    Stage { $stage_number } of { $stages }: { $stage }
    Tasks done: { $done } of { $tasks } · ⭐ { $points }
    Days without progress: { $idle }
    Waiting for your check: { $waiting } (/pending)
    Phone: { $phone }
    E-mail: { $email }
directory-write = ✉️ Write to the candidate
directory-ask-message = Type the message: it goes to the candidate from the coordinators. Leave: /cancel
directory-message-header = ✉️ <b>A message from your coordinator</b>
directory-delivered = Sent.
directory-not-delivered = Not delivered: the candidate seems to have blocked the bot.
cmd-candidates = Candidates: list and filters
cmd-candidate = A candidate's card
directory-open-item = 👁 { $title }
