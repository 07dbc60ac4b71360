## The coordinators' daily digest (within their scope)

digest-head = <b>Today's summary</b>
digest-waiting = Waiting for a check: { $count } — /pending
digest-questions-head = <b>Unanswered questions: { $count }</b> — /questions
digest-question = • No. { $id }, { $name } — { $days ->
        [0] today
        [one] waiting { $days } day
       *[other] waiting { $days } days
    }
digest-no-questions = No unanswered questions.
digest-stalled-head = <b>No progress for { $days }+ days: { $count }</b> — /candidates stalled
digest-stalled = • { $name } — { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
digest-no-stalled = Every candidate moved in the last { $days } days.
