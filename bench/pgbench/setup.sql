-- The ceiling of a dealgate transition on this PostgreSQL: the same rows and indexes a
-- transition touches (deal with a version check, the event, a document row with its file),
-- with nothing around them. bench/pgbench.sh creates a scratch database and runs this first.
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_documents, bench_blobs, bench_events, bench_deals;
CREATE TABLE bench_deals (
    id         BIGINT PRIMARY KEY,
    stage      TEXT NOT NULL,
    version    BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE bench_events (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deal_id   BIGINT NOT NULL REFERENCES bench_deals (id),
    seq       BIGINT NOT NULL,
    kind      TEXT NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage  TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    UNIQUE (deal_id, seq)
);
CREATE TABLE bench_blobs (
    sha256  TEXT PRIMARY KEY,
    content BYTEA NOT NULL
);
CREATE TABLE bench_documents (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deal_id    BIGINT NOT NULL REFERENCES bench_deals (id),
    kind       TEXT NOT NULL,
    number     TEXT NOT NULL,
    data       TEXT NOT NULL,
    pdf_sha256 TEXT NOT NULL REFERENCES bench_blobs (sha256),
    created_at TIMESTAMPTZ NOT NULL
);
INSERT INTO bench_deals SELECT g, 'research', 1, now() FROM generate_series(1, 100000) g;
VACUUM ANALYZE bench_deals;
