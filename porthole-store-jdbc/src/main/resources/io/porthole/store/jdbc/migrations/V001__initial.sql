-- Computers and API keys. Timestamps are epoch milliseconds (portable to PostgreSQL as BIGINT).
CREATE TABLE computers (
    id                          VARCHAR(64)  PRIMARY KEY,
    tenant_id                   VARCHAR(64)  NOT NULL,
    kind                        VARCHAR(16)  NOT NULL,
    engine                      VARCHAR(16)  NOT NULL,
    status                      VARCHAR(16)  NOT NULL,
    created_at                  BIGINT       NOT NULL,
    last_activity_at            BIGINT       NOT NULL,
    max_lifetime_seconds        BIGINT       NOT NULL,
    inactivity_timeout_seconds  BIGINT       NOT NULL,
    idle_timeout_enabled        BOOLEAN      NOT NULL,
    persistent                  BOOLEAN      NOT NULL,
    width                       INTEGER      NOT NULL,
    height                      INTEGER      NOT NULL,
    scale                       DOUBLE PRECISION NOT NULL,
    environment_id              VARCHAR(64),
    terminated_at               BIGINT,
    termination_reason          VARCHAR(512)
);
CREATE INDEX computers_tenant_status ON computers (tenant_id, status);

CREATE TABLE api_keys (
    id          VARCHAR(64)  PRIMARY KEY,
    tenant_id   VARCHAR(64)  NOT NULL,
    name        VARCHAR(200) NOT NULL,
    prefix      VARCHAR(16)  NOT NULL,
    key_hash    CHAR(64)     NOT NULL UNIQUE,
    admin       BOOLEAN      NOT NULL,
    created_at  BIGINT       NOT NULL,
    revoked_at  BIGINT
);
