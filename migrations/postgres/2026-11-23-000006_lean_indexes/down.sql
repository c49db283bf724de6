CREATE INDEX messages_received ON messages(received_at);
CREATE INDEX messages_due ON messages(due_at);
