-- Escalation ladder: when each message must next be looked at, and the outbox of emails.
--
-- messages.next_escalation_at: UTC seconds when the sweep must next evaluate the
-- message's ladder; 0 (the default, so every insert path arms new messages) means
-- "as soon as possible"; NULL means nothing is scheduled (replied, invalid,
-- paused, or the ladder is complete). The sweep reads only the partial index.
ALTER TABLE messages ADD COLUMN next_escalation_at BIGINT DEFAULT 0;
CREATE INDEX messages_next_escalation ON messages(next_escalation_at)
    WHERE next_escalation_at IS NOT NULL;

-- Emails decided but not necessarily delivered: written in the transaction that
-- decides them, delivered (and retried) afterwards. dedup_key makes each
-- (message, level, recipient, ladder epoch) alert, and each digest, unique.
CREATE TABLE alert_outbox (
    id BIGSERIAL PRIMARY KEY,
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
    attachment BYTEA,
    status TEXT NOT NULL CHECK (status IN ('pending','sending','sent','failed','held','digested','cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at BIGINT,
    digest_id BIGINT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
-- Delivery work: due pending/failed rows and expired leases ('sending').
CREATE INDEX alert_outbox_due ON alert_outbox(next_attempt_at)
    WHERE status IN ('pending','failed','sending');
CREATE INDEX alert_outbox_recipient_status ON alert_outbox(recipient_email, status);
CREATE INDEX alert_outbox_message ON alert_outbox(message_id, status);
CREATE INDEX alert_outbox_status_created ON alert_outbox(status, created_at);
