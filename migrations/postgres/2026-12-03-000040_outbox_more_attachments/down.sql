ALTER TABLE alert_outbox DROP COLUMN extra_attachments;
