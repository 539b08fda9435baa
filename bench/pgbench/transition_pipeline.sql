-- transition.sql sent as one pipeline (pgbench -M prepared): the same statements in one
-- transaction, written to the server in one go and read back together — one round trip, the
-- fewest any client could use. dealgate needs two (it seals the event with the previous event's
-- hash, read under the lock, before it can send the insert).
\set deal random(1, 100000)
\startpipeline
BEGIN;
SELECT version FROM bench_deals WHERE id = :deal FOR UPDATE;
UPDATE bench_deals SET version = version + 1, stage = 'cold_call', updated_at = now() WHERE id = :deal AND version = version;
INSERT INTO bench_events (deal_id, seq, kind, from_stage, to_stage, at, payload, prev_hash, hash)
SELECT :deal, COALESCE(MAX(seq), 0) + 1, 'transition', 'research', 'cold_call', now(), '{}', md5(random()::text), md5(random()::text)
FROM bench_events WHERE deal_id = :deal;
COMMIT;
\endpipeline
