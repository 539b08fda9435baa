-- +goose Up
-- Statistics (package stats) read the stage moves of every deal — its deal_created and
-- transition events — in chain order, with LEAD() over (deal_id ORDER BY seq). This partial
-- index holds exactly those rows and every column the window reads, so PostgreSQL walks it
-- in order (an index-only scan, no sort) and never touches the activity and document events
-- that make up most of the table.
CREATE INDEX events_stage_moves ON events (deal_id, seq) INCLUDE (action, to_stage, at, reason)
    WHERE kind IN ('deal_created', 'transition');
-- Activity volume per rep and week: a range scan on the time that carries the deal and kind.
CREATE INDEX activities_at_stats ON activities (at) INCLUDE (deal_id, kind);
-- Won and lost deals by closing date (win rate, turnover, profit, cycle time, monthly trend).
CREATE INDEX deals_closed_at ON deals (closed_at) WHERE closed_at IS NOT NULL;
-- Proposals sent per week.
CREATE INDEX documents_kind_finalised ON documents (kind, finalised_at) WHERE finalised_at IS NOT NULL;

-- Norm sets: dated snapshots of the norms derived from the best reps, with the method's
-- parameters, the reference group and the computed figures (JSON). A snapshot never changes.
CREATE TABLE stat_norm_sets (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period_from TIMESTAMPTZ NOT NULL,
    period_to   TIMESTAMPTZ NOT NULL,
    measure     TEXT NOT NULL CHECK (measure IN ('profit', 'turnover')),
    params      TEXT NOT NULL,
    norms       TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_by  BIGINT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX stat_norm_sets_created ON stat_norm_sets (created_at);

-- A manager's hand adjustment of one norm of a set: who, when, from what to what, and why.
-- The effective norm is the latest adjustment, else the computed figure.
CREATE TABLE stat_norm_adjustments (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    set_id     BIGINT NOT NULL REFERENCES stat_norm_sets (id),
    stage      TEXT NOT NULL DEFAULT '',
    metric     TEXT NOT NULL,
    old_value  DOUBLE PRECISION,
    new_value  DOUBLE PRECISION NOT NULL,
    reason     TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX stat_norm_adjustments_set ON stat_norm_adjustments (set_id, id);

-- Both are records: the database refuses to change or remove a row.
-- +goose StatementBegin
CREATE FUNCTION stat_norms_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER stat_norm_sets_no_update BEFORE UPDATE OR DELETE ON stat_norm_sets
    FOR EACH ROW EXECUTE FUNCTION stat_norms_append_only();
CREATE TRIGGER stat_norm_adjustments_no_update BEFORE UPDATE OR DELETE ON stat_norm_adjustments
    FOR EACH ROW EXECUTE FUNCTION stat_norms_append_only();

-- +goose Down
DROP TABLE stat_norm_adjustments;
DROP TABLE stat_norm_sets;
DROP FUNCTION stat_norms_append_only();
DROP INDEX documents_kind_finalised;
DROP INDEX deals_closed_at;
DROP INDEX activities_at_stats;
DROP INDEX events_stage_moves;
