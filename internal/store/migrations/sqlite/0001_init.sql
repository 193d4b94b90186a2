-- DataPull schema, version 1, SQLite.
-- Times are UTC text, 2006-01-02T15:04:05.000000Z, so text order is time order.
-- Ids come from AUTOINCREMENT so that an id is never reused after a delete:
-- jobs and links carry ids, and must not come to point at something else.

CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
);

CREATE TABLE workspaces (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    -- name_key is the name folded to lower case by the program, so both
    -- dialects agree on which names clash.
    name_key   TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE token_sets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    source     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    sealed     BLOB NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE connections (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    source       TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    account_name TEXT NOT NULL,
    token_set_id INTEGER REFERENCES token_sets (id),
    base_urls    TEXT NOT NULL,
    extra        TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('active', 'needs_reconnect', 'disconnected')),
    created_at   TEXT NOT NULL,
    UNIQUE (workspace_id, source, account_id)
);
CREATE INDEX connections_token_set ON connections (token_set_id);

CREATE TABLE pulls (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    connection_id INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    mode          TEXT NOT NULL CHECK (mode IN ('standard', 'full')),
    status        TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'stopped', 'partial')),
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    calls         INTEGER NOT NULL DEFAULT 0,
    bytes         INTEGER NOT NULL DEFAULT 0,
    records       INTEGER NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pulls_connection ON pulls (connection_id, id);
CREATE INDEX pulls_workspace ON pulls (workspace_id);
-- One running pull per connection, enforced by the database so that two
-- processes cannot both start one.
CREATE UNIQUE INDEX pulls_one_running ON pulls (connection_id) WHERE status = 'running';

CREATE TABLE endpoint_results (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    pull_id           INTEGER NOT NULL REFERENCES pulls (id) ON DELETE CASCADE,
    endpoint          TEXT NOT NULL,
    mode              TEXT NOT NULL,
    fetched           INTEGER NOT NULL,
    inserted          INTEGER NOT NULL,
    updated           INTEGER NOT NULL,
    deleted           INTEGER NOT NULL,
    unchanged         INTEGER NOT NULL,
    calls             INTEGER NOT NULL,
    bytes             INTEGER NOT NULL,
    duration_ns       INTEGER NOT NULL,
    checkpoint_before TEXT,
    checkpoint_after  TEXT,
    status            TEXT NOT NULL CHECK (status IN ('ok', 'warning', 'failed', 'skipped')),
    reason            TEXT NOT NULL,
    provider_total    INTEGER NOT NULL,
    UNIQUE (pull_id, endpoint)
);

CREATE TABLE notes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    pull_id    INTEGER NOT NULL REFERENCES pulls (id) ON DELETE CASCADE,
    endpoint   TEXT NOT NULL,
    severity   TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
    code       TEXT NOT NULL,
    message    TEXT NOT NULL,
    action     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX notes_pull ON notes (pull_id, id);

CREATE TABLE checkpoints (
    connection_id INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    endpoint      TEXT NOT NULL,
    cursor        TEXT,
    updated_at    TEXT NOT NULL,
    last_full_at  TEXT,
    PRIMARY KEY (connection_id, endpoint)
);

-- Raw records as the provider sent them. A rowid table with the key as its
-- primary-key index: payloads of 1-2 KB are too large for WITHOUT ROWID to pay.
-- changed_pull_id and seen_pull_id are audit references without foreign keys:
-- a pull is only ever deleted together with these rows (its connection), and a
-- foreign key would make each such delete search raw_records by pull.
CREATE TABLE raw_records (
    connection_id   INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    endpoint        TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    modified_at     TEXT,
    status          TEXT NOT NULL CHECK (status IN ('active', 'archived', 'deleted', 'voided')),
    payload         TEXT NOT NULL,
    payload_hash    TEXT NOT NULL,
    changed_pull_id INTEGER NOT NULL,
    seen_pull_id    INTEGER NOT NULL,
    PRIMARY KEY (connection_id, endpoint, record_id)
);

-- The usage ledger is append-only and has no foreign keys on purpose:
-- deleting a workspace must not give back this month's allowance.
CREATE TABLE usage_ledger (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    pull_id       INTEGER NOT NULL,
    connection_id INTEGER NOT NULL,
    source        TEXT NOT NULL,
    at            TEXT NOT NULL,
    calls         INTEGER NOT NULL,
    bytes         INTEGER NOT NULL,
    records       INTEGER NOT NULL
);
CREATE INDEX usage_ledger_source_at ON usage_ledger (source, at);
