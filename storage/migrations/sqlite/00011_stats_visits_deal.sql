-- +goose Up
-- Each stage visit also keeps its deal's owner, status and amount, and its length in days
-- once it has ended (see the PostgreSQL migration): the deal's fields are copied when the
-- visit starts and again when the deal's change; the exit sets the days.
ALTER TABLE stat_stage_visits ADD COLUMN owner_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stat_stage_visits ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE stat_stage_visits ADD COLUMN amount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stat_stage_visits ADD COLUMN days REAL;
UPDATE stat_stage_visits SET
    owner_id = (SELECT d.owner_id FROM deals d WHERE d.id = stat_stage_visits.deal_id),
    status = (SELECT d.status FROM deals d WHERE d.id = stat_stage_visits.deal_id),
    amount = (SELECT d.amount FROM deals d WHERE d.id = stat_stage_visits.deal_id),
    days = julianday(left_at) - julianday(entered_at);
CREATE INDEX stat_stage_visits_rep_days ON stat_stage_visits (owner_id, stage, days, entered_at) WHERE outcome IN ('advance', 'win');
CREATE INDEX stat_stage_visits_stage_days ON stat_stage_visits (stage, days, entered_at) WHERE outcome IN ('advance', 'win');

DROP TRIGGER events_stat_stage_exit;
-- +goose StatementBegin
CREATE TRIGGER events_stat_stage_exit AFTER INSERT ON events
WHEN NEW.kind = 'transition' AND NEW.from_stage <> ''
BEGIN
    UPDATE stat_stage_visits
       SET left_at = NEW.at, outcome = NEW.action,
           reason = CASE WHEN NEW.action = 'lose' THEN NEW.reason ELSE '' END,
           days = julianday(NEW.at) - julianday(entered_at)
     WHERE deal_id = NEW.deal_id AND stage = NEW.from_stage AND left_at IS NULL;
END;
-- +goose StatementEnd

DROP TRIGGER events_stat_stage_entry;
-- +goose StatementBegin
CREATE TRIGGER events_stat_stage_entry AFTER INSERT ON events
WHEN NEW.kind IN ('deal_created', 'transition') AND NEW.to_stage <> ''
BEGIN
    INSERT OR IGNORE INTO stat_stage_visits (deal_id, stage, entered_at, owner_id, status, amount)
    SELECT NEW.deal_id, NEW.to_stage, NEW.at, d.owner_id, d.status, d.amount FROM deals d WHERE d.id = NEW.deal_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER deals_stat_stage_visits AFTER UPDATE OF owner_id, status, amount ON deals
WHEN OLD.owner_id IS NOT NEW.owner_id OR OLD.status IS NOT NEW.status OR OLD.amount IS NOT NEW.amount
BEGIN
    UPDATE stat_stage_visits SET owner_id = NEW.owner_id, status = NEW.status, amount = NEW.amount WHERE deal_id = NEW.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER deals_stat_stage_visits;
DROP TRIGGER events_stat_stage_exit;
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
DROP INDEX stat_stage_visits_stage_days;
DROP INDEX stat_stage_visits_rep_days;
DROP TRIGGER events_stat_stage_entry;
-- +goose StatementBegin
CREATE TRIGGER events_stat_stage_entry AFTER INSERT ON events
WHEN NEW.kind IN ('deal_created', 'transition') AND NEW.to_stage <> ''
BEGIN
    INSERT OR IGNORE INTO stat_stage_visits (deal_id, stage, entered_at) VALUES (NEW.deal_id, NEW.to_stage, NEW.at);
END;
-- +goose StatementEnd
ALTER TABLE stat_stage_visits DROP COLUMN days;
ALTER TABLE stat_stage_visits DROP COLUMN amount;
ALTER TABLE stat_stage_visits DROP COLUMN status;
ALTER TABLE stat_stage_visits DROP COLUMN owner_id;
