-- The nodes of a cluster (one row even for a server alone), which node runs each computer, and keys every node
-- shares (made by the first node that needs one). Timestamps are epoch milliseconds.
CREATE TABLE nodes (
    id            VARCHAR(200) PRIMARY KEY,
    url           VARCHAR(1024) NOT NULL,
    state         VARCHAR(16)  NOT NULL,
    capacity      INTEGER      NOT NULL,
    free          INTEGER      NOT NULL,
    live          INTEGER      NOT NULL,
    started_at    BIGINT       NOT NULL,
    heartbeat_at  BIGINT       NOT NULL
);
ALTER TABLE computers ADD COLUMN node_id VARCHAR(200);
CREATE INDEX computers_node_status ON computers (node_id, status);
CREATE TABLE shared_keys (
    name   VARCHAR(64)  PRIMARY KEY,
    value  VARCHAR(200) NOT NULL
);
