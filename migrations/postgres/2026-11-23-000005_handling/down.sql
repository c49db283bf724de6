DROP INDEX messages_review_pending;
DROP TABLE reply_submissions;
DROP TABLE extension_requests;
ALTER TABLE messages DROP COLUMN review_pending;
ALTER TABLE messages DROP COLUMN verdict;
ALTER TABLE messages DROP COLUMN returned_count;
ALTER TABLE messages DROP COLUMN assigned_at;
