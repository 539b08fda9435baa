-- +goose Up
-- Statistics (package stats) read the stage moves of every deal — its deal_created and
-- transition events — in chain order, with LEAD() over (deal_id ORDER BY seq). This partial
-- covering index holds exactly those rows and the columns the window reads.
CREATE INDEX events_stage_moves ON events (deal_id, seq, action, to_stage, at, reason)
    WHERE kind IN ('deal_created', 'transition');
CREATE INDEX activities_at_stats ON activities (at, deal_id, kind);
CREATE INDEX deals_closed_at ON deals (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX documents_kind_finalised ON documents (kind, finalised_at) WHERE finalised_at IS NOT NULL;

-- Norm sets: dated snapshots of the norms derived from the best reps (see the PostgreSQL
-- migration for the meaning of each column).
CREATE TABLE stat_norm_sets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    period_from TIMESTAMP NOT NULL,
    period_to   TIMESTAMP NOT NULL,
    measure     TEXT NOT NULL CHECK (measure IN ('profit', 'turnover')),
    params      TEXT NOT NULL,
    norms       TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_by  BIGINT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX stat_norm_sets_created ON stat_norm_sets (created_at);

CREATE TABLE stat_norm_adjustments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    set_id     BIGINT NOT NULL REFERENCES stat_norm_sets (id),
    stage      TEXT NOT NULL DEFAULT '',
    metric     TEXT NOT NULL,
    old_value  REAL,
    new_value  REAL NOT NULL,
    reason     TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX stat_norm_adjustments_set ON stat_norm_adjustments (set_id, id);

-- +goose StatementBegin
CREATE TRIGGER stat_norm_sets_no_update BEFORE UPDATE ON stat_norm_sets
BEGIN
    SELECT RAISE(ABORT, 'stat_norm_sets is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER stat_norm_sets_no_delete BEFORE DELETE ON stat_norm_sets
BEGIN
    SELECT RAISE(ABORT, 'stat_norm_sets is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER stat_norm_adjustments_no_update BEFORE UPDATE ON stat_norm_adjustments
BEGIN
    SELECT RAISE(ABORT, 'stat_norm_adjustments is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER stat_norm_adjustments_no_delete BEFORE DELETE ON stat_norm_adjustments
BEGIN
    SELECT RAISE(ABORT, 'stat_norm_adjustments is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE stat_norm_adjustments;
DROP TABLE stat_norm_sets;
DROP INDEX documents_kind_finalised;
DROP INDEX deals_closed_at;
DROP INDEX activities_at_stats;
DROP INDEX events_stage_moves;
