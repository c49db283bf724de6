DELETE FROM api_tokens WHERE role = 'metrics';
CREATE TABLE api_tokens_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('clerk','supervisor','leader','admin','intake')),
    department_code TEXT REFERENCES departments(code),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
INSERT INTO api_tokens_old (id, name, token_hash, role, department_code, created_at, revoked_at)
    SELECT id, name, token_hash, role, department_code, created_at, revoked_at FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_old RENAME TO api_tokens;
