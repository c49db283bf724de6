-- Foundation: departments, staff, tokens, messages and their append-only events.
-- Times are UTC Unix seconds (BIGINT) on both backends: portable, compact and
-- compared as integers by the due-time indexes.

CREATE TABLE departments (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    parent_code TEXT REFERENCES departments(code),
    created_at BIGINT NOT NULL
);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('clerk','supervisor','leader','admin')),
    department_code TEXT REFERENCES departments(code),
    password_hash TEXT,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX staff_department ON staff(department_code, role);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('clerk','supervisor','leader','admin','intake')),
    department_code TEXT REFERENCES departments(code),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    channel TEXT NOT NULL,
    external_id TEXT,
    category TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    citizen_name TEXT,
    citizen_phone TEXT,
    citizen_email TEXT,
    site_name TEXT,
    site_url TEXT,
    department_code TEXT NOT NULL REFERENCES departments(code),
    status TEXT NOT NULL CHECK (status IN ('open','paused','replied','invalid')),
    received_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    original_due_at BIGINT NOT NULL,
    paused_at BIGINT,
    extended_days INTEGER NOT NULL DEFAULT 0,
    replied_at BIGINT,
    reply_body TEXT,
    replied_by TEXT,
    working_days_taken INTEGER,
    on_time BOOLEAN,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX messages_channel_external_id ON messages(channel, external_id) WHERE external_id IS NOT NULL;
-- Open work by due time (inboxes, overdue lists, the escalation sweep).
CREATE INDEX messages_open_due ON messages(due_at) WHERE status = 'open';
CREATE INDEX messages_department_status_due ON messages(department_code, status, due_at);
-- Monthly statistics by receipt and by deadline.
CREATE INDEX messages_received ON messages(received_at);
CREATE INDEX messages_due ON messages(due_at);

CREATE TABLE message_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    message_id BIGINT NOT NULL REFERENCES messages(id),
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX message_events_message ON message_events(message_id, id);

-- Events are history: never updated or deleted.
CREATE TRIGGER message_events_no_update BEFORE UPDATE ON message_events
BEGIN SELECT RAISE(ABORT, 'message_events are append-only'); END;
CREATE TRIGGER message_events_no_delete BEFORE DELETE ON message_events
BEGIN SELECT RAISE(ABORT, 'message_events are append-only'); END;
