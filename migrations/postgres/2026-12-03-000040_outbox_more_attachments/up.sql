-- Attachments after the first (the monthly report email carries the XLSX and the Word draft): a JSON list of {name, mime, base64}.
ALTER TABLE alert_outbox ADD COLUMN extra_attachments TEXT;
