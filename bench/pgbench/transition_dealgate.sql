-- A transition as dealgate sends it (storage.transitionPipelined), statement for statement, on
-- dealgate's own schema (seeded by dealgate_seed.sql): lock the deal, read the gate's evidence
-- and the chain head in one query, then update the deal with its version check and insert the
-- event in one statement (the events trigger keeps stat_stage_visits). Deals are drawn from
-- 50,000, so in a 10 s run most move for the first time (the trigger closes a visit and opens
-- one); a deal drawn again repeats the move, which the trigger finds already done.
\set deal random(1, 50000)
BEGIN;
SELECT id, company_id, owner_id, title, amount, cost, currency, pipeline_id, stage, status, lost_reason, version,
stage_entered_at, created_at, updated_at, closed_at FROM deals WHERE id = :deal FOR UPDATE;
SELECT 'c' AS src, '' AS kind, CASE WHEN valid THEN 1 ELSE 0 END AS n, FALSE AS dm FROM companies WHERE id = (SELECT company_id FROM deals WHERE id = :deal)
UNION ALL SELECT 'd', kind, COUNT(*), FALSE FROM documents WHERE deal_id = :deal AND status = 'final' GROUP BY kind
UNION ALL SELECT 'f', kind, COUNT(*), FALSE FROM facts WHERE deal_id = :deal GROUP BY kind
UNION ALL SELECT DISTINCT 'a', kind, 0, decision_maker FROM activities WHERE deal_id = :deal
UNION ALL SELECT * FROM (SELECT 'e', hash, seq, FALSE FROM events WHERE deal_id = :deal ORDER BY seq DESC LIMIT 1) AS last_event;
WITH u AS (UPDATE deals SET stage = 'cold_call', version = version + 1, stage_entered_at = now(), updated_at = now()
    WHERE id = :deal RETURNING id)
INSERT INTO events (deal_id, seq, kind, action, from_stage, to_stage, actor_id, reason, at, payload, prev_hash, hash)
SELECT u.id, (SELECT MAX(seq) + 1 FROM events WHERE deal_id = :deal), 'transition', 'advance', 'research', 'cold_call', 1, '', now(),
    '{"evidence":{}}', md5(random()::text), md5(random()::text) FROM u;
COMMIT;
