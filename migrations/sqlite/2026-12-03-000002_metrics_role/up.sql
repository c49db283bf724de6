-- API tokens may have the role `metrics` (reads /metrics, nothing else). SQLite cannot change a
-- CHECK constraint in place: the table is rebuilt with its rows and ids.
CREATE TABLE api_tokens_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('clerk','supervisor','leader','admin','intake','metrics')),
    department_code TEXT REFERENCES departments(code),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
INSERT INTO api_tokens_new (id, name, token_hash, role, department_code, created_at, revoked_at)
    SELECT id, name, token_hash, role, department_code, created_at, revoked_at FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_new RENAME TO api_tokens;
