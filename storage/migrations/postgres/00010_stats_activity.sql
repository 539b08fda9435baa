-- +goose Up
-- Activity volume, a daily rollup of the activities kept by the database: how many calls,
-- meetings, e-mails and other activities each person logged each day (UTC). The trigger
-- counts an activity in the transaction that logs it; nothing else writes the table.
-- Statistics (package stats) read it for the weekly activity of every rep instead of counting
-- every activity on every request; its test recounts the activities and compares.
CREATE TABLE stat_activity_days (
    actor_id BIGINT NOT NULL,
    day      DATE NOT NULL,
    kind     TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (actor_id, day, kind)
);

INSERT INTO stat_activity_days (actor_id, day, kind, n)
SELECT actor_id, (at AT TIME ZONE 'UTC')::date, kind, COUNT(*) FROM activities GROUP BY 1, 2, 3;

CREATE INDEX stat_activity_days_day ON stat_activity_days (day) INCLUDE (actor_id, kind, n);

-- +goose StatementBegin
CREATE FUNCTION stat_activity_days_count() RETURNS trigger AS $$
BEGIN
    INSERT INTO stat_activity_days (actor_id, day, kind, n)
    VALUES (NEW.actor_id, (NEW.at AT TIME ZONE 'UTC')::date, NEW.kind, 1)
    ON CONFLICT (actor_id, day, kind) DO UPDATE SET n = stat_activity_days.n + 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER activities_stat_activity_days AFTER INSERT ON activities
    FOR EACH ROW EXECUTE FUNCTION stat_activity_days_count();

-- +goose Down
DROP TRIGGER activities_stat_activity_days ON activities;
DROP FUNCTION stat_activity_days_count();
DROP TABLE stat_activity_days;
