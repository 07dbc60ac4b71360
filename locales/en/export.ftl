## Exports

export-usage = Usage: /export candidates|canvass|supporters|donations [csv] [pseudo|plain]
    • candidates — the candidates; canvass — the notes of their door-to-door canvass; supporters — the supporters; donations — their electoral funds' ledger entries. Always only within your organisations and formations.
    • XLSX in an encrypted archive by default (the password is shown once); csv — CSV; pseudo — no names, masked contacts; plain — unencrypted (not recommended).
    The bot asks for your PIN first.
export-empty = Nothing to export: there are no such records within your scope.
export-candidates-header = No.|Name|Organisation|Formation|District|Phone|E-mail|Points|Days idle|Registered
export-candidates-sheet = Candidates
export-candidates-caption = Candidates: { $count }. ⚠️ The file holds personal data: don't forward it, and delete it when done. The export is in the audit log.
export-canvass-header = Candidate No.|Candidate|Formation|District|Address|Apartment|Outcome|Topics|Follow up|Resident|Resident's phone|Note|Date
export-canvass-sheet = Canvass
export-canvass-caption = Canvass notes: { $count }. ⚠️ The file holds personal data: don't forward it, and delete it when done. The export is in the audit log.
export-supporters-sheet = Supporters
export-supporters-caption = Supporters: { $count }. ⚠️ The file holds personal data: don't forward it, and delete it when done. The export is in the audit log.
export-donations-header = Candidate No.|Candidate|Date|Operation|Amount, RUB|Donor type|Donor's name|Flag|To return, RUB|Return by|Returned
export-donations-sheet = Funds
export-donations-caption = Fund entries: { $count }. ⚠️ The file holds personal data: don't forward it, and delete it when done. The export is in the audit log.
cmd-export = Export: candidates, canvass, supporters, funds
