DROP TABLE message_events;
DROP FUNCTION IF EXISTS message_events_append_only();
DROP TABLE messages;
DROP TABLE api_tokens;
DROP TABLE staff;
DROP TABLE departments;
