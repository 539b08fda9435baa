-- +goose Up
-- A deal moves only forward and a stage key is unique in its pipeline, so a deal visits a
-- stage at most once: the visit's entry is the stage move whose to_stage is the stage, its
-- exit the deal's one transition whose from_stage is the stage. Statistics (package stats)
-- pair them with a join on (deal_id, stage); this partial index finds the exits and carries
-- what the statistics read of them.
CREATE INDEX events_stage_exits ON events (deal_id, from_stage) INCLUDE (action, at, reason)
    WHERE kind = 'transition';

-- +goose Down
DROP INDEX events_stage_exits;
