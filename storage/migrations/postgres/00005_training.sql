-- +goose Up
-- Stage tests. training_banks keeps every version of the question bank an admin saved (the
-- shipped bank is the default while the table is empty). training_attempts keeps every
-- attempt: the questions drawn (with their correct answers — never sent to the browser before
-- submission), the seed and bank digest they were drawn from, the policy in force and, once
-- submitted, the answers and the score. Submission is a compare-and-set on submitted_at IS NULL.
CREATE TABLE training_banks (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version    INTEGER NOT NULL UNIQUE,
    source     TEXT NOT NULL,
    digest     TEXT NOT NULL,
    questions  INTEGER NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE training_attempts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    stage        TEXT NOT NULL DEFAULT '',
    seed         BIGINT NOT NULL,
    bank_digest  TEXT NOT NULL,
    policy       JSONB NOT NULL,
    questions    JSONB NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    deadline     TIMESTAMPTZ,
    submitted_at TIMESTAMPTZ,
    answers      JSONB,
    correct      INTEGER NOT NULL DEFAULT 0,
    total        INTEGER NOT NULL,
    passed       BOOLEAN NOT NULL DEFAULT FALSE,
    CHECK (submitted_at IS NOT NULL OR NOT passed)
);
CREATE INDEX training_attempts_user_stage ON training_attempts (user_id, stage, started_at);
CREATE INDEX training_attempts_passed ON training_attempts (user_id, stage, submitted_at) WHERE passed;

-- +goose Down
DROP TABLE training_attempts;
DROP TABLE training_banks;
