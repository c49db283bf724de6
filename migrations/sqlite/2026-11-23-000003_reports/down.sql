DROP INDEX messages_pending_received;
DROP INDEX messages_department_due;
DROP INDEX messages_department_received;
DROP TABLE reports;
