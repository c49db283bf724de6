DROP INDEX messages_pending_received;
DROP INDEX messages_due_stats;
DROP INDEX messages_received_stats;
DROP TABLE reports;
