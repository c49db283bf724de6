DROP TABLE alert_outbox;
DROP INDEX messages_next_escalation;
ALTER TABLE messages DROP COLUMN next_escalation_at;
