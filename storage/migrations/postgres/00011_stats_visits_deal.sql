-- +goose Up
-- Each stage visit also keeps its deal's owner, status and amount, so that statistics read
-- one table, and its length in days once it has ended. The entry trigger copies the deal's
-- fields when a visit starts and the exit sets the days; a trigger on deals copies the fields
-- again whenever a deal's owner, status or amount changes. Two partial indexes hold the
-- forward exits' days in order, per rep and stage and per stage, for the percentiles.
ALTER TABLE stat_stage_visits
    ADD COLUMN owner_id BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN status   TEXT NOT NULL DEFAULT '',
    ADD COLUMN amount   BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN days     DOUBLE PRECISION;
UPDATE stat_stage_visits v SET owner_id = d.owner_id, status = d.status, amount = d.amount,
    days = CAST(EXTRACT(EPOCH FROM (v.left_at - v.entered_at)) AS DOUBLE PRECISION) / 86400.0
FROM deals d WHERE d.id = v.deal_id;
CREATE INDEX stat_stage_visits_rep_days ON stat_stage_visits (owner_id, stage, days) INCLUDE (entered_at)
    WHERE outcome IN ('advance', 'win');
CREATE INDEX stat_stage_visits_stage_days ON stat_stage_visits (stage, days) INCLUDE (entered_at)
    WHERE outcome IN ('advance', 'win');

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stat_stage_visits_track() RETURNS trigger AS $$
BEGIN
    IF NEW.kind = 'transition' AND NEW.from_stage <> '' THEN
        UPDATE stat_stage_visits
           SET left_at = NEW.at, outcome = NEW.action,
               reason = CASE WHEN NEW.action = 'lose' THEN NEW.reason ELSE '' END,
               days = CAST(EXTRACT(EPOCH FROM (NEW.at - entered_at)) AS DOUBLE PRECISION) / 86400.0
         WHERE deal_id = NEW.deal_id AND stage = NEW.from_stage AND left_at IS NULL;
    END IF;
    IF NEW.to_stage <> '' THEN
        INSERT INTO stat_stage_visits (deal_id, stage, entered_at, owner_id, status, amount)
        SELECT NEW.deal_id, NEW.to_stage, NEW.at, d.owner_id, d.status, d.amount FROM deals d WHERE d.id = NEW.deal_id
        ON CONFLICT (deal_id, stage) DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION stat_stage_visits_deal() RETURNS trigger AS $$
BEGIN
    UPDATE stat_stage_visits SET owner_id = NEW.owner_id, status = NEW.status, amount = NEW.amount WHERE deal_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER deals_stat_stage_visits AFTER UPDATE OF owner_id, status, amount ON deals
    FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.status IS DISTINCT FROM NEW.status OR OLD.amount IS DISTINCT FROM NEW.amount)
    EXECUTE FUNCTION stat_stage_visits_deal();

-- +goose Down
DROP TRIGGER deals_stat_stage_visits ON deals;
DROP FUNCTION stat_stage_visits_deal();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stat_stage_visits_track() RETURNS trigger AS $$
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
DROP INDEX stat_stage_visits_stage_days;
DROP INDEX stat_stage_visits_rep_days;
ALTER TABLE stat_stage_visits DROP COLUMN days, DROP COLUMN amount, DROP COLUMN status, DROP COLUMN owner_id;
