-- +goose Up
-- A correction keeps its document's number under a new version.
DROP INDEX documents_number;
CREATE UNIQUE INDEX documents_number ON documents (kind, number, version) WHERE number <> '';
ALTER TABLE documents ADD COLUMN data_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN number_scope TEXT NOT NULL DEFAULT '';

CREATE TABLE document_attachments (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id  BIGINT NOT NULL REFERENCES documents (id),
    role         TEXT NOT NULL CHECK (role IN ('signed_copy')),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256       TEXT NOT NULL REFERENCES blobs (sha256),
    size         BIGINT NOT NULL,
    created_by   BIGINT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX document_attachments_doc ON document_attachments (document_id);

CREATE TABLE doc_templates (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       TEXT NOT NULL,
    format     TEXT NOT NULL CHECK (format IN ('pdf', 'docx')),
    version    INTEGER NOT NULL,
    sha256     TEXT NOT NULL REFERENCES blobs (sha256),
    filename   TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (kind, format, version)
);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE products (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku        TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    unit       TEXT NOT NULL DEFAULT 'шт',
    okei       TEXT NOT NULL DEFAULT '796',
    price      BIGINT NOT NULL,
    cost       BIGINT NOT NULL DEFAULT 0,
    vat_rate   TEXT NOT NULL DEFAULT '22',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE products;
DROP TABLE settings;
DROP TABLE doc_templates;
DROP TABLE document_attachments;
ALTER TABLE documents DROP COLUMN number_scope;
ALTER TABLE documents DROP COLUMN data_sha256;
DROP INDEX documents_number;
CREATE UNIQUE INDEX documents_number ON documents (kind, number) WHERE number <> '';
