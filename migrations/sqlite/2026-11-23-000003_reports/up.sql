-- Reports: frozen monthly, quarterly and yearly reports, and the indexes the statistics read.

-- A report of a closed period is stored once generated, so a published bulletin never
-- changes under it; regenerating adds a version and keeps the old ones.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    period TEXT NOT NULL,
    scope TEXT NOT NULL,
    version INTEGER NOT NULL,
    as_of BIGINT NOT NULL,
    rounding TEXT NOT NULL CHECK (rounding IN ('half_up','truncate')),
    body TEXT NOT NULL,
    -- The summary's raw counts (JSON): later reports' trends and comparisons reuse the
    -- published figures of frozen periods instead of recounting them.
    figures TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (period, scope, version)
);

-- The statistics read only index entries, never the table rows (which carry the message
-- bodies): each cohort is one range scan of a covering index.
-- Received cohort: receipt time, then every column the aggregates and groups read.
CREATE INDEX messages_received_stats ON messages(received_at, status, replied_at, due_at, on_time,
    working_days_taken, department_code, channel, category, site_name);
-- Due cohort: deadline, then the columns its aggregates and groups read.
CREATE INDEX messages_due_stats ON messages(due_at, status, replied_at, on_time,
    department_code, channel, category, site_name);
-- Critical messages: only unanswered ones, by receipt time, with their group columns.
CREATE INDEX messages_pending_received ON messages(received_at, status, department_code, channel,
    category, site_name) WHERE status IN ('open','paused');
