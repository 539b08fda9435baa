-- +goose Up
-- A company counts its changes, so that an edit made from a stale copy is refused (409)
-- instead of silently overwriting a change made in between: UpdateCompany changes the row
-- only while its version is the one the edit was made from, and adds one.
ALTER TABLE companies ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE companies DROP COLUMN version;
