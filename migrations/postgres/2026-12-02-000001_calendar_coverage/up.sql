-- The last date of the official working-day calendar that stored deadlines were computed on.
-- When a newer official year is installed, every deadline, working-days figure and verdict
-- that touched the days after this date is recomputed, and this row moves on; so a restart,
-- a SIGHUP and `huiyin calendar reload` recompute once, whichever comes first.
CREATE TABLE calendar_coverage (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    official_through TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- One row from the start ('' = not yet known), so instances starting together only update it.
INSERT INTO calendar_coverage (id, official_through, updated_at) VALUES (1, '', 0);
