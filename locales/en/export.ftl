## Exports

export-usage = Usage: /export candidates [csv] (XLSX by default).
export-candidates-header = No.|Name|Organisation|Formation|District|Phone|E-mail|Points|Days idle|Registered
export-candidates-sheet = Candidates
export-caption = Candidates: { $count }. ⚠️ The file holds personal data: don't forward it, and delete it when done. The export is in the audit log.
cmd-export = Export candidates
