-- One transition with a finalised document: as transition.sql, plus a 20 KiB file stored as a
-- blob and the document row that refers to it.
\set deal random(1, 100000)
BEGIN;
SELECT version FROM bench_deals WHERE id = :deal FOR UPDATE;
UPDATE bench_deals SET version = version + 1, stage = 'cold_call', updated_at = now() WHERE id = :deal AND version = version;
INSERT INTO bench_events (deal_id, seq, kind, from_stage, to_stage, at, payload, prev_hash, hash)
SELECT :deal, COALESCE(MAX(seq), 0) + 1, 'document_finalised', 'proposal', '', now(), '{}', md5(random()::text), md5(random()::text)
FROM bench_events WHERE deal_id = :deal;
WITH b AS (
    INSERT INTO bench_blobs (sha256, content)
    SELECT encode(sha256(c), 'hex'), c FROM (SELECT convert_to(repeat(md5(random()::text), 640), 'UTF8') AS c) x
    RETURNING sha256)
INSERT INTO bench_documents (deal_id, kind, number, data, pdf_sha256, created_at)
SELECT :deal, 'proposal', 'КП-' || :deal, '{"lines":[]}', sha256, now() FROM b;
COMMIT;
