ALTER TABLE staff DROP COLUMN session_epoch;
