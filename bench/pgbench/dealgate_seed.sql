-- Seeds a database migrated by `dealgate migrate` for transition_dealgate.sql: one rep, one
-- valid company, the pipeline row (migrate may have made it) and 50,000 open deals at research, each with its
-- deal_created event (the chain head a transition reads). The real schema: every index and
-- the statistics triggers a transition meets in production.
SET client_min_messages = warning;
INSERT INTO users (email, name, role, created_at) VALUES ('bench@pgbench.test', 'bench', 'rep', now());
INSERT INTO companies (owner_id, name, inn, valid, created_at) VALUES (1, 'АО «Бенч»', '7707083893', TRUE, now());
INSERT INTO pipelines (key, version, source, sha256, created_at) VALUES ('corporate', 1, '', '', now()) ON CONFLICT DO NOTHING;
INSERT INTO deals (id, company_id, owner_id, title, amount, cost, currency, pipeline_id, stage, status, lost_reason, version,
    stage_entered_at, created_at, updated_at)
OVERRIDING SYSTEM VALUE SELECT g, 1, 1, 'Поставка', 100000, 70000, 'RUB', 1, 'research', 'open', '', 1, now(), now(), now()
FROM generate_series(1, 50000) g;
INSERT INTO events (deal_id, seq, kind, action, from_stage, to_stage, actor_id, reason, at, payload, prev_hash, hash)
SELECT g, 1, 'deal_created', 'create', '', 'research', 1, '', now(), '{}', '', md5(g::text) FROM generate_series(1, 50000) g;
VACUUM ANALYZE;
