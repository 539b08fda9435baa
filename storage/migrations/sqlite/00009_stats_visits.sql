-- +goose Up
-- Stage visits, a projection of the events kept by the database (see the PostgreSQL
-- migration): one row per deal and stage, started by the stage move that enters the stage and
-- completed by the transition that leaves it, written only by the triggers below.
CREATE TABLE stat_stage_visits (
    deal_id    BIGINT NOT NULL REFERENCES deals (id),
    stage      TEXT NOT NULL,
    entered_at TIMESTAMP NOT NULL,
    left_at    TIMESTAMP,
    outcome    TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (deal_id, stage)
);

INSERT OR IGNORE INTO stat_stage_visits (deal_id, stage, entered_at, left_at, outcome, reason)
SELECT n.deal_id, n.to_stage, n.at, x.at, COALESCE(x.action, ''), CASE WHEN x.action = 'lose' THEN x.reason ELSE '' END
FROM events n
LEFT JOIN events x ON x.deal_id = n.deal_id AND x.kind = 'transition' AND x.from_stage = n.to_stage
WHERE n.kind IN ('deal_created', 'transition') AND n.to_stage <> '';

CREATE INDEX stat_stage_visits_entered ON stat_stage_visits (entered_at);

-- +goose StatementBegin
CREATE TRIGGER events_stat_stage_exit AFTER INSERT ON events
WHEN NEW.kind = 'transition' AND NEW.from_stage <> ''
BEGIN
    UPDATE stat_stage_visits
       SET left_at = NEW.at, outcome = NEW.action,
           reason = CASE WHEN NEW.action = 'lose' THEN NEW.reason ELSE '' END
     WHERE deal_id = NEW.deal_id AND stage = NEW.from_stage AND left_at IS NULL;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_stat_stage_entry AFTER INSERT ON events
WHEN NEW.kind IN ('deal_created', 'transition') AND NEW.to_stage <> ''
BEGIN
    INSERT OR IGNORE INTO stat_stage_visits (deal_id, stage, entered_at) VALUES (NEW.deal_id, NEW.to_stage, NEW.at);
END;
-- +goose StatementEnd

DROP INDEX events_stage_exits;
DROP INDEX events_stage_moves;

-- +goose Down
CREATE INDEX events_stage_moves ON events (deal_id, seq, action, to_stage, at, reason)
    WHERE kind IN ('deal_created', 'transition');
CREATE INDEX events_stage_exits ON events (deal_id, from_stage, action, at, reason)
    WHERE kind = 'transition';
DROP TRIGGER events_stat_stage_entry;
DROP TRIGGER events_stat_stage_exit;
DROP TABLE stat_stage_visits;
