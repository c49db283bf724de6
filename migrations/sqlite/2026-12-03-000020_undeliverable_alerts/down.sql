DELETE FROM alert_outbox WHERE status IN ('undeliverable','resolved');
CREATE TABLE alert_outbox_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    dedup_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('alert','digest','report')),
    message_id BIGINT REFERENCES messages(id),
    department_code TEXT,
    level TEXT,
    recipient_email TEXT NOT NULL,
    cc_emails TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    attachment_name TEXT,
    attachment_mime TEXT,
    attachment BLOB,
    status TEXT NOT NULL CHECK (status IN ('pending','sending','sent','failed','held','digested','cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at BIGINT,
    digest_id BIGINT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);

INSERT INTO alert_outbox_old (id, dedup_key, kind, message_id, department_code, level, recipient_email, cc_emails, subject, body, attachment_name, attachment_mime, attachment, status, attempts, last_error, next_attempt_at, digest_id, created_at, sent_at)
    SELECT id, dedup_key, kind, message_id, department_code, level, recipient_email, cc_emails, subject, body, attachment_name, attachment_mime, attachment, status, attempts, last_error, next_attempt_at, digest_id, created_at, sent_at FROM alert_outbox;
DROP TABLE alert_outbox;
ALTER TABLE alert_outbox_old RENAME TO alert_outbox;
-- Delivery work: due pending/failed rows and expired leases ('sending').
CREATE INDEX alert_outbox_due ON alert_outbox(next_attempt_at)
    WHERE status IN ('pending','failed','sending');
CREATE INDEX alert_outbox_recipient_status ON alert_outbox(recipient_email, status);
CREATE INDEX alert_outbox_message ON alert_outbox(message_id, status);
CREATE INDEX alert_outbox_status_created ON alert_outbox(status, created_at);
