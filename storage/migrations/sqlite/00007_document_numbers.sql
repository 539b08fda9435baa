-- +goose Up
-- A number is unique within its counter: kind, scope (the contract of a specification) and
-- year (plain serials such as УПД «1» restart every year), and a correction keeps it under a
-- new version.
ALTER TABLE documents ADD COLUMN number_year INTEGER NOT NULL DEFAULT 0;
DROP INDEX documents_number;
CREATE UNIQUE INDEX documents_number ON documents (kind, number_scope, number_year, seq, version) WHERE number <> '';

-- +goose Down
DROP INDEX documents_number;
CREATE UNIQUE INDEX documents_number ON documents (kind, number, version) WHERE number <> '';
ALTER TABLE documents DROP COLUMN number_year;
