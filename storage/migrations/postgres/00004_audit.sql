-- +goose Up
-- The audit checkpoint log: an RFC 6962 Merkle tree whose leaves are heads of deal chains
-- (audit/evidence.LeafData), the tree's completed nodes (so inclusion and consistency proofs
-- are read, not recomputed), and the signed checkpoints. Leaves keep no foreign key to deals:
-- the log must outlive a deal that someone deletes, so that the deletion shows.
CREATE TABLE audit_log_leaves (
    idx        BIGINT PRIMARY KEY,
    deal_id    BIGINT NOT NULL,
    seq        BIGINT NOT NULL,
    head       TEXT NOT NULL,
    leaf_hash  TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_log_leaves_deal ON audit_log_leaves (deal_id, idx);

CREATE TABLE audit_log_nodes (
    level INTEGER NOT NULL,
    idx   BIGINT NOT NULL,
    hash  TEXT NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE audit_checkpoints (
    size       BIGINT PRIMARY KEY,
    root       TEXT NOT NULL,
    note       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- Who read which deal's trail, verification or evidence bundle, and when.
CREATE TABLE audit_reads (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    deal_id BIGINT NOT NULL,
    what    TEXT NOT NULL,
    at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_reads_deal_at ON audit_reads (deal_id, at);
CREATE INDEX audit_reads_user_at ON audit_reads (user_id, at);
CREATE INDEX audit_reads_at ON audit_reads (at);

-- Like events, these tables only grow.
-- +goose StatementBegin
CREATE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER audit_log_leaves_no_update BEFORE UPDATE OR DELETE ON audit_log_leaves
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_log_nodes_no_update BEFORE UPDATE OR DELETE ON audit_log_nodes
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_reads_no_update BEFORE UPDATE OR DELETE ON audit_reads
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();

-- +goose Down
DROP TABLE audit_reads;
DROP TABLE audit_checkpoints;
DROP TABLE audit_log_nodes;
DROP TABLE audit_log_leaves;
DROP FUNCTION audit_append_only();
