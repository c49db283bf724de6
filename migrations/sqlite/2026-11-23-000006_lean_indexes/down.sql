DROP INDEX messages_pending_received;
CREATE INDEX messages_received_stats ON messages(received_at, status, replied_at, due_at, on_time,
    working_days_taken, department_code, channel, category, site_name);
CREATE INDEX messages_due_stats ON messages(due_at, status, replied_at, on_time,
    department_code, channel, category, site_name);
CREATE INDEX messages_pending_received ON messages(received_at, status, department_code, channel,
    category, site_name) WHERE status IN ('open','paused');
