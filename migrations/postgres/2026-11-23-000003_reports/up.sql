-- Reports: frozen monthly, quarterly and yearly reports, and the indexes the statistics read.

-- A report of a closed period is stored once generated, so a published bulletin never
-- changes under it; regenerating adds a version and keeps the old ones.
CREATE TABLE reports (
    id BIGSERIAL PRIMARY KEY,
    period TEXT NOT NULL,
    scope TEXT NOT NULL,
    version INTEGER NOT NULL,
    as_of BIGINT NOT NULL,
    rounding TEXT NOT NULL CHECK (rounding IN ('half_up','truncate')),
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (period, scope, version)
);

-- A department's received cohort (department-scoped statistics and the clerk's own report).
CREATE INDEX messages_department_received ON messages(department_code, received_at);
-- A department's due cohort.
CREATE INDEX messages_department_due ON messages(department_code, due_at);
-- Critical messages: unanswered ones by receipt time (a small part of the table).
CREATE INDEX messages_pending_received ON messages(received_at) WHERE status IN ('open','paused');
