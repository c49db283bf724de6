-- messages_received and messages_due have the same keys as the statistics
-- indexes (messages_received_stats, messages_due_stats), which serve every query
-- they did; each index is a B-tree insert for each stored message.
DROP INDEX messages_received;
DROP INDEX messages_due;
