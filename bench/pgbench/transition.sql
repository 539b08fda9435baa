-- One transition without a document: lock the deal, check and bump its version, append the
-- event after the deal's last one.
\set deal random(1, 100000)
BEGIN;
SELECT version FROM bench_deals WHERE id = :deal FOR UPDATE;
UPDATE bench_deals SET version = version + 1, stage = 'cold_call', updated_at = now() WHERE id = :deal AND version = version;
INSERT INTO bench_events (deal_id, seq, kind, from_stage, to_stage, at, payload, prev_hash, hash)
SELECT :deal, COALESCE(MAX(seq), 0) + 1, 'transition', 'research', 'cold_call', now(), '{}', md5(random()::text), md5(random()::text)
FROM bench_events WHERE deal_id = :deal;
COMMIT;
