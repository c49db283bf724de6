DELETE FROM alert_outbox WHERE status IN ('undeliverable','resolved');
ALTER TABLE alert_outbox DROP CONSTRAINT IF EXISTS alert_outbox_status_check;
ALTER TABLE alert_outbox ADD CONSTRAINT alert_outbox_status_check
    CHECK (status IN ('pending','sending','sent','failed','held','digested','cancelled'));
