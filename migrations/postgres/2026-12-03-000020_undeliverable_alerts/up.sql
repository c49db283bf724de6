-- Alerts nobody can receive are kept: 'undeliverable' (reason in last_error) until someone holds
-- the role, then 'resolved' (the alerts went out as rows of their own).
ALTER TABLE alert_outbox DROP CONSTRAINT IF EXISTS alert_outbox_status_check;
ALTER TABLE alert_outbox ADD CONSTRAINT alert_outbox_status_check
    CHECK (status IN ('pending','sending','sent','failed','held','digested','cancelled','undeliverable','resolved'));
