-- +goose Up
-- A deal visits a stage at most once: statistics pair a visit's entry (to_stage) with its
-- exit (the deal's transition from that stage) by (deal_id, stage); this partial covering
-- index finds the exits (see the PostgreSQL migration).
CREATE INDEX events_stage_exits ON events (deal_id, from_stage, action, at, reason)
    WHERE kind = 'transition';

-- +goose Down
DROP INDEX events_stage_exits;
