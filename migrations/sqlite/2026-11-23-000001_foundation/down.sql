DROP TRIGGER IF EXISTS message_events_no_delete;
DROP TRIGGER IF EXISTS message_events_no_update;
DROP TABLE message_events;
DROP TABLE messages;
DROP TABLE api_tokens;
DROP TABLE staff;
DROP TABLE departments;
