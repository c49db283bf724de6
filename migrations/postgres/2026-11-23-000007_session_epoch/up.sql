-- Web sessions are bound to a fingerprint of the password hash and of this counter.
-- Deactivating a member of staff raises it, so sessions opened before stay ended
-- even after the account is reactivated.
ALTER TABLE staff ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
