-- +goose Up
-- Activity volume, a daily rollup of the activities kept by the database (see the PostgreSQL
-- migration): the activities each person logged each day (UTC, YYYY-MM-DD), by kind.
CREATE TABLE stat_activity_days (
    actor_id BIGINT NOT NULL,
    day      TEXT NOT NULL,
    kind     TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (actor_id, day, kind)
);

INSERT INTO stat_activity_days (actor_id, day, kind, n)
SELECT actor_id, date(at), kind, COUNT(*) FROM activities GROUP BY 1, 2, 3;

CREATE INDEX stat_activity_days_day ON stat_activity_days (day, actor_id, kind, n);

-- +goose StatementBegin
CREATE TRIGGER activities_stat_activity_days AFTER INSERT ON activities
BEGIN
    INSERT INTO stat_activity_days (actor_id, day, kind, n) VALUES (NEW.actor_id, date(NEW.at), NEW.kind, 1)
    ON CONFLICT (actor_id, day, kind) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER activities_stat_activity_days;
DROP TABLE stat_activity_days;
