-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'rep', 'backoffice', 'auditor')),
    password_hash TEXT NOT NULL DEFAULT '',
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE pipelines (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    key        TEXT NOT NULL,
    version    INTEGER NOT NULL,
    source     TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (key, version)
);

CREATE TABLE companies (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id     BIGINT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    inn          TEXT NOT NULL,
    kpp          TEXT NOT NULL DEFAULT '',
    ogrn         TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT '',
    bank_name    TEXT NOT NULL DEFAULT '',
    bik          TEXT NOT NULL DEFAULT '',
    corr_account TEXT NOT NULL DEFAULT '',
    account      TEXT NOT NULL DEFAULT '',
    valid        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX companies_owner ON companies (owner_id);
CREATE INDEX companies_inn ON companies (inn);

CREATE TABLE deals (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id       BIGINT NOT NULL REFERENCES companies (id),
    owner_id         BIGINT NOT NULL REFERENCES users (id),
    title            TEXT NOT NULL,
    amount           BIGINT NOT NULL DEFAULT 0,
    cost             BIGINT NOT NULL DEFAULT 0,
    currency         TEXT NOT NULL DEFAULT 'RUB',
    pipeline_id      BIGINT NOT NULL REFERENCES pipelines (id),
    stage            TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    lost_reason      TEXT NOT NULL DEFAULT '',
    version          BIGINT NOT NULL,
    stage_entered_at TIMESTAMP NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    closed_at        TIMESTAMP
);
CREATE INDEX deals_owner_status ON deals (owner_id, status, id);
CREATE INDEX deals_stage ON deals (stage, status);
CREATE INDEX deals_company ON deals (company_id);

CREATE TABLE activities (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    deal_id        BIGINT NOT NULL REFERENCES deals (id),
    kind           TEXT NOT NULL CHECK (kind IN ('call', 'meeting', 'email', 'other')),
    stage          TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    decision_maker BOOLEAN NOT NULL DEFAULT FALSE,
    actor_id       BIGINT NOT NULL REFERENCES users (id),
    at             TIMESTAMP NOT NULL
);
CREATE INDEX activities_deal ON activities (deal_id);
CREATE INDEX activities_actor_at ON activities (actor_id, at);

CREATE TABLE facts (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    deal_id  BIGINT NOT NULL REFERENCES deals (id),
    kind     TEXT NOT NULL,
    stage    TEXT NOT NULL,
    data     TEXT NOT NULL DEFAULT '{}',
    actor_id BIGINT NOT NULL REFERENCES users (id),
    at       TIMESTAMP NOT NULL
);
CREATE INDEX facts_deal ON facts (deal_id, kind);

CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    deal_id    BIGINT NOT NULL REFERENCES deals (id),
    seq        BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    action     TEXT NOT NULL DEFAULT '',
    from_stage TEXT NOT NULL DEFAULT '',
    to_stage   TEXT NOT NULL DEFAULT '',
    actor_id   BIGINT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    at         TIMESTAMP NOT NULL,
    payload    TEXT NOT NULL DEFAULT '',
    prev_hash  TEXT NOT NULL DEFAULT '',
    hash       TEXT NOT NULL,
    UNIQUE (deal_id, seq)
);
CREATE INDEX events_at ON events (at);
CREATE INDEX events_kind_at ON events (kind, at);

-- Events are append-only: the database refuses to change or remove one.
-- +goose StatementBegin
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
-- +goose StatementEnd

CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    size       BIGINT NOT NULL,
    content    BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE documents (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    deal_id       BIGINT NOT NULL REFERENCES deals (id),
    kind          TEXT NOT NULL,
    number        TEXT NOT NULL DEFAULT '',
    seq           BIGINT NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL DEFAULT 1,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'final', 'superseded')),
    data          TEXT NOT NULL,
    templates     TEXT NOT NULL DEFAULT '',
    supersedes_id BIGINT REFERENCES documents (id),
    pdf_sha256    TEXT NOT NULL DEFAULT '',
    docx_sha256   TEXT NOT NULL DEFAULT '',
    created_by    BIGINT NOT NULL REFERENCES users (id),
    created_at    TIMESTAMP NOT NULL,
    finalised_at  TIMESTAMP
);
CREATE INDEX documents_deal ON documents (deal_id, kind, status);
CREATE UNIQUE INDEX documents_number ON documents (kind, number) WHERE number <> '';

CREATE TABLE counters (
    scope TEXT NOT NULL,
    kind  TEXT NOT NULL,
    year  INTEGER NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (scope, kind, year)
);

CREATE TABLE idempotency_keys (
    user_id      BIGINT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    response     BLOB NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE counters;
DROP TABLE documents;
DROP TABLE blobs;
DROP TABLE events;
DROP TABLE facts;
DROP TABLE activities;
DROP TABLE deals;
DROP TABLE companies;
DROP TABLE pipelines;
DROP TABLE api_tokens;
DROP TABLE users;
