-- Benchmark data set for docs/reports.md: run after `huiyin bench load --count 1` created the departments.
-- 10 million synthetic messages over 24 months (2024-11 .. 2026-10), ~417k per month.
\timing on
DROP INDEX IF EXISTS messages_channel_external_id, messages_open_due, messages_department_status_due,
  messages_received, messages_due, messages_received_stats, messages_due_stats, messages_pending_received;
INSERT INTO messages (channel, category, subject, body, site_name, site_url, department_code, status,
    received_at, due_at, original_due_at, extended_days, replied_at, reply_body, replied_by,
    working_days_taken, on_time, updated_at)
SELECT
  CASE WHEN g % 7 = 0 THEN 'website_error' ELSE 'mayor_mailbox' END,
  CASE WHEN g % 7 = 0 THEN 'error_report' ELSE (ARRAY['consultation','complaint','suggestion','help','report'])[1 + (g / 7) % 5] END,
  '关于小区加装电梯审批进度的咨询', repeat('市长您好：我想咨询小区加装电梯的审批进度。', 8),
  CASE WHEN g % 7 = 0 THEN '政府网站' || (g % 40) ELSE NULL END,
  CASE WHEN g % 7 = 0 THEN 'https://example.gov.cn/' || (g % 40) ELSE NULL END,
  d.codes[1 + ((g * 31) % d.n)],
  CASE WHEN r < 20 THEN 'invalid' WHEN r < 920 AND rec + hrs * 3600 <= 1795460000 THEN 'replied' WHEN r < 930 THEN 'paused' ELSE 'open' END,
  rec, rec + 7 * 86400, rec + 7 * 86400, 0,
  CASE WHEN r >= 20 AND r < 920 AND rec + hrs * 3600 <= 1795460000 THEN rec + hrs * 3600 END,
  CASE WHEN r >= 20 AND r < 920 AND rec + hrs * 3600 <= 1795460000 THEN '您好，已办理。' END,
  CASE WHEN r >= 20 AND r < 920 AND rec + hrs * 3600 <= 1795460000 THEN 'bench' END,
  CASE WHEN r >= 20 AND r < 920 AND rec + hrs * 3600 <= 1795460000 THEN (hrs / 24) * 5 / 7 END,
  CASE WHEN r >= 20 AND r < 920 AND rec + hrs * 3600 <= 1795460000 THEN hrs * 3600 <= 7 * 86400 END,
  rec
FROM (
  SELECT g, 1730390400 + (g::bigint * 63072000 / 10000000) AS rec,
         ((g::bigint * 2654435761) % 1000) AS r, ((g::bigint * 7919) % 240) AS hrs
  FROM generate_series(1, 10000000) g
) s, (SELECT array_agg(code ORDER BY code) AS codes, count(*)::int AS n FROM departments) d;
CREATE UNIQUE INDEX messages_channel_external_id ON messages(channel, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX messages_open_due ON messages(due_at) WHERE status = 'open';
CREATE INDEX messages_department_status_due ON messages(department_code, status, due_at);
CREATE INDEX messages_received_stats ON messages(received_at) INCLUDE (status, replied_at, due_at,
    on_time, working_days_taken, verdict, department_code, channel, category, site_name, id);
CREATE INDEX messages_due_stats ON messages(due_at) INCLUDE (status, replied_at, on_time,
    department_code, channel, category, site_name, id);
CREATE INDEX messages_pending_received ON messages(received_at) INCLUDE (status, department_code,
    channel, category, site_name) WHERE status IN ('open','paused');
VACUUM ANALYZE messages;
SELECT count(*) FROM messages;
