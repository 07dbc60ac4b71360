## Coalition statistics and map for coordinators (/stats, /map)

cmd-stats = Candidate statistics
cmd-map = Coalition map by district

stats-scope-all = the whole coalition
stats-scope-own = your area of responsibility
stats-head = <b>Candidate statistics</b> · { $scope }
stats-totals = Registered: { $registered } · drafts (registration not finished): { $drafts }
stats-none = No registered candidates yet.
stats-activity = Active: { $active } · no progress for { $days }+ { $days ->
        [one] day
       *[other] days
    }: { $stalled }
stats-funnel-head = <b>Funnel: quest stage they are on</b>
stats-funnel-line = { $number }. { $title } — { $count }
stats-organisations-head = <b>By organisation</b>
stats-formations-head = <b>By municipal formation</b> (top { $top })
stats-count-line = • { $name } — { $count }
stats-more = …and { $count } more

map-no-election = No current election is set, so there is nothing to map.
map-head = <b>Coalition map</b> · { $scope }
    { $election }
map-summary = Districts: { $districts } · seats: { $seats } · candidates: { $candidates }
map-coverage = Empty districts: { $empty } · short: { $partial } · exactly filled: { $full } · over-subscribed: { $over }
map-untouched = Municipal formations without a single candidate: { $count }
map-over-head = <b>⚠️ More candidates than seats</b>
map-over-line = • { $formation }, district #{ $number }: { $candidates } { $candidates ->
        [one] candidate
       *[other] candidates
    } for { $seats } { $seats ->
        [one] seat
       *[other] seats
    } — { $organisations }
map-organisation = { $name } ({ $count })
map-no-over = No district has more candidates than seats.
map-formations-head = <b>By municipal formation</b>
map-formation-line = • { $name }: { $candidates } for { $seats } { $seats ->
        [one] seat
       *[other] seats
    }, empty districts { $empty } of { $districts }

## /stats as a picture (chart labels: no HTML)
stats-chart-caption = 📊 The same numbers as a chart: funnel, activity, organisations, formations
stats-chart-funnel = Funnel: quest stage reached
stats-chart-activity = Active and with no progress for { $days }+ days
stats-chart-active = Active
stats-chart-stalled = No progress
stats-chart-organisations = By organisation
stats-chart-formations = By municipal formation (top { $top })
map-shared-head = <b>🤝 Districts where candidates of different organisations run: { $count }</b>
    Agree who runs where, so that the coalition's organisations don't run against each other (⚠️: more candidates than seats already).
map-shared-line = { $mark } { $formation }, district No. { $number }: { $organisations } — { $candidates } for { $seats } { $seats ->
        [one] seat
       *[other] seats
    }
