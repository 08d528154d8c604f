-- Links that open one computer's live view without an API key: only the token's SHA-256 is kept.
CREATE TABLE viewer_links (
    id           VARCHAR(64)  PRIMARY KEY,
    computer_id  VARCHAR(64)  NOT NULL,
    tenant_id    VARCHAR(200) NOT NULL,
    mode         VARCHAR(16)  NOT NULL,
    prefix       VARCHAR(16)  NOT NULL,
    token_hash   VARCHAR(64)  NOT NULL UNIQUE,
    created_at   BIGINT       NOT NULL,
    expires_at   BIGINT       NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX viewer_links_computer ON viewer_links (computer_id);
