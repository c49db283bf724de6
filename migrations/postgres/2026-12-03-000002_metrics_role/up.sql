-- API tokens may have the role `metrics` (reads /metrics, nothing else).
ALTER TABLE api_tokens DROP CONSTRAINT IF EXISTS api_tokens_role_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check
    CHECK (role IN ('clerk','supervisor','leader','admin','intake','metrics'));
