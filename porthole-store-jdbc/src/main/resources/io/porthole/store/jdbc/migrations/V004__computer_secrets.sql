-- Values a computer needs again after a restart that carry credentials (its upstream proxy), encrypted by
-- the server (AES-GCM under the state key) before they get here.
CREATE TABLE computer_secrets (
    computer_id  VARCHAR(64)  NOT NULL,
    name         VARCHAR(64)  NOT NULL,
    sealed       BLOB         NOT NULL,
    PRIMARY KEY (computer_id, name)
);
