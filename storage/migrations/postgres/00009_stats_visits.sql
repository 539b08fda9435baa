-- +goose Up
-- Stage visits, a projection of the events kept by the database: a deal visits a stage at
-- most once (it moves only forward and a stage key is unique in its pipeline), entering it
-- with a stage move whose to_stage is the stage and leaving it with its one transition whose
-- from_stage is the stage. The trigger below writes a row when a visit starts and completes it
-- when the visit ends, inside the transaction that appends the event; nothing else writes
-- the table. Statistics (package stats) read it instead of pairing the events on every
-- request; its test recomputes it from the events and compares.
CREATE TABLE stat_stage_visits (
    deal_id    BIGINT NOT NULL REFERENCES deals (id),
    stage      TEXT NOT NULL,
    entered_at TIMESTAMPTZ NOT NULL,
    left_at    TIMESTAMPTZ,
    outcome    TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (deal_id, stage)
);

INSERT INTO stat_stage_visits (deal_id, stage, entered_at, left_at, outcome, reason)
SELECT n.deal_id, n.to_stage, n.at, x.at, COALESCE(x.action, ''), CASE WHEN x.action = 'lose' THEN x.reason ELSE '' END
FROM events n
LEFT JOIN events x ON x.deal_id = n.deal_id AND x.kind = 'transition' AND x.from_stage = n.to_stage
WHERE n.kind IN ('deal_created', 'transition') AND n.to_stage <> ''
ON CONFLICT (deal_id, stage) DO NOTHING;

CREATE INDEX stat_stage_visits_entered ON stat_stage_visits (entered_at) INCLUDE (deal_id, stage, left_at, outcome, reason);

-- +goose StatementBegin
CREATE FUNCTION stat_stage_visits_track() RETURNS trigger AS $$
BEGIN
    IF NEW.kind = 'transition' AND NEW.from_stage <> '' THEN
        UPDATE stat_stage_visits
           SET left_at = NEW.at, outcome = NEW.action,
               reason = CASE WHEN NEW.action = 'lose' THEN NEW.reason ELSE '' END
         WHERE deal_id = NEW.deal_id AND stage = NEW.from_stage AND left_at IS NULL;
    END IF;
    IF NEW.to_stage <> '' THEN
        INSERT INTO stat_stage_visits (deal_id, stage, entered_at) VALUES (NEW.deal_id, NEW.to_stage, NEW.at)
        ON CONFLICT (deal_id, stage) DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER events_stat_stage_visits AFTER INSERT ON events
    FOR EACH ROW WHEN (NEW.kind IN ('deal_created', 'transition')) EXECUTE FUNCTION stat_stage_visits_track();

-- The statistics no longer pair events; these indexes only slowed down appending them.
DROP INDEX events_stage_exits;
DROP INDEX events_stage_moves;

-- +goose Down
CREATE INDEX events_stage_moves ON events (deal_id, seq) INCLUDE (action, to_stage, at, reason)
    WHERE kind IN ('deal_created', 'transition');
CREATE INDEX events_stage_exits ON events (deal_id, from_stage) INCLUDE (action, at, reason)
    WHERE kind = 'transition';
DROP TRIGGER events_stat_stage_visits ON events;
DROP FUNCTION stat_stage_visits_track();
DROP TABLE stat_stage_visits;
