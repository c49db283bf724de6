-- Pause requests ([handling] pause = "with_approval"): a clerk asks, a supervisor decides.
CREATE TABLE pause_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    message_id BIGINT NOT NULL REFERENCES messages(id),
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending','approved','refused')),
    decided_by TEXT,
    decided_at BIGINT,
    decision_reason TEXT
);
CREATE INDEX pause_requests_message ON pause_requests(message_id, status);
