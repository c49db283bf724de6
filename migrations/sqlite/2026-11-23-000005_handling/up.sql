-- Handling rules: extension requests, returns of misrouted messages, 属实 verdicts, review of replies.
ALTER TABLE messages ADD COLUMN assigned_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN returned_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN verdict TEXT CHECK (verdict IN ('confirmed','rejected'));
ALTER TABLE messages ADD COLUMN review_pending BOOLEAN NOT NULL DEFAULT 0;
UPDATE messages SET assigned_at = received_at;

CREATE TABLE extension_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    message_id BIGINT NOT NULL REFERENCES messages(id),
    working_days INTEGER NOT NULL CHECK (working_days > 0),
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending','approved','refused')),
    decided_by TEXT,
    decided_at BIGINT,
    decision_reason TEXT
);
CREATE INDEX extension_requests_message ON extension_requests(message_id, status);
-- Replies submitted for review (one row per submission, kept after the decision).
CREATE TABLE reply_submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    message_id BIGINT NOT NULL REFERENCES messages(id),
    body TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending','accepted','rejected')),
    reviewed_by TEXT,
    reviewed_at BIGINT,
    reason TEXT
);
CREATE INDEX reply_submissions_message ON reply_submissions(message_id, status);

-- Messages waiting for a reviewer.
CREATE INDEX messages_review_pending ON messages(department_code) WHERE review_pending;
