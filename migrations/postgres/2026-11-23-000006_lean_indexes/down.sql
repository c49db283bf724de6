DROP INDEX messages_received_stats;
CREATE INDEX messages_received_stats ON messages(received_at) INCLUDE (status, replied_at, due_at,
    on_time, working_days_taken, department_code, channel, category, site_name, id);
CREATE INDEX messages_received ON messages(received_at);
CREATE INDEX messages_due ON messages(due_at);
