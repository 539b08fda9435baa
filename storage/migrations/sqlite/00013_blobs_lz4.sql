-- +goose Up
-- PostgreSQL compresses stored files with lz4 from this version on; SQLite stores them as
-- they are. Kept so that both dialects have the same migration versions.
SELECT 1;

-- +goose Down
SELECT 1;
