-- Replay events, artifact records, environments. Timestamps are epoch milliseconds.
--
-- events.seq is the pagination cursor: it must only ever grow, even after the newest event is deleted, hence
-- AUTOINCREMENT (SQLite only; on PostgreSQL the column is BIGINT GENERATED ALWAYS AS IDENTITY).
-- No foreign keys to computers: the log of a computer outlives its record's changes, and each table stands alone.
CREATE TABLE events (
    seq          INTEGER      PRIMARY KEY AUTOINCREMENT,
    computer_id  VARCHAR(64)  NOT NULL,
    category     VARCHAR(32)  NOT NULL,
    type         VARCHAR(32)  NOT NULL,
    data         TEXT         NOT NULL,
    at           BIGINT       NOT NULL
);
CREATE INDEX events_computer_seq ON events (computer_id, seq);

-- The bytes are in the blob store under sha256.
CREATE TABLE artifacts (
    id            VARCHAR(64)  PRIMARY KEY,
    computer_id   VARCHAR(64)  NOT NULL,
    tenant_id     VARCHAR(64)  NOT NULL,
    type          VARCHAR(16)  NOT NULL,
    content_type  VARCHAR(255) NOT NULL,
    name          VARCHAR(1024),
    size          BIGINT       NOT NULL,
    sha256        CHAR(64)     NOT NULL,
    created_at    BIGINT       NOT NULL
);
CREATE INDEX artifacts_computer_created ON artifacts (computer_id, created_at);

-- Saved browser state; the encrypted state is in the blob store under sha256.
CREATE TABLE environments (
    id          VARCHAR(64)  PRIMARY KEY,
    tenant_id   VARCHAR(64)  NOT NULL,
    engine      VARCHAR(16)  NOT NULL,
    sha256      CHAR(64)     NOT NULL,
    size        BIGINT       NOT NULL,
    created_at  BIGINT       NOT NULL,
    updated_at  BIGINT       NOT NULL
);
CREATE INDEX environments_tenant_created ON environments (tenant_id, created_at);
