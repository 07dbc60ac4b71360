## Exports

export-usage = Usage: /export candidates [csv] [pseudo|plain] — XLSX in an encrypted archive by default (the password is shown once); pseudo — no names, masked contacts; plain — unencrypted (not recommended). The bot asks for your PIN first.
export-candidates-header = No.|Name|Organisation|Formation|District|Phone|E-mail|Points|Days idle|Registered
export-candidates-sheet = Candidates
export-caption = Candidates: { $count }. ⚠️ The file holds personal data: don't forward it, and delete it when done. The export is in the audit log.
cmd-export = Export candidates
