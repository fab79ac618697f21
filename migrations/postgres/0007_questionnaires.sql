-- Anonymous evaluation questionnaires. Nothing here ties an answer to a person, a code or a
-- moment: codes are kept as digests with no person and no time; answers carry a random key and
-- no code, person, session, address or time. A table's heap keeps rows in the order they were
-- written, so closing a questionnaire rewrites its answers in the order of their random keys.
-- See ARCHITECTURE.md, "Anonymous answers".

CREATE TABLE questionnaires (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- NULL for a template.
    training_id BIGINT REFERENCES trainings (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    title_en TEXT NOT NULL DEFAULT '',
    intro TEXT NOT NULL DEFAULT '',
    intro_en TEXT NOT NULL DEFAULT '',
    opens_at BIGINT,
    closes_at BIGINT,
    min_cell BIGINT NOT NULL DEFAULT 5 CHECK (min_cell >= 1),
    lead_coder_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- When the answers were rewritten in the order of their random keys, after closing.
    sealed_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX questionnaires_by_training ON questionnaires (training_id);

CREATE TABLE questionnaire_questions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    questionnaire_id BIGINT NOT NULL REFERENCES questionnaires (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('free_text', 'single_choice', 'multiple_choice', 'rating')),
    prompt TEXT NOT NULL,
    prompt_en TEXT NOT NULL DEFAULT '',
    -- JSON: [{"label": …, "label_en": …}]
    options TEXT NOT NULL DEFAULT '[]',
    scale BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX questionnaire_questions_by_questionnaire
    ON questionnaire_questions (questionnaire_id, position);

CREATE TABLE questionnaire_tokens (
    digest TEXT PRIMARY KEY,
    questionnaire_id BIGINT NOT NULL REFERENCES questionnaires (id) ON DELETE CASCADE,
    state TEXT NOT NULL DEFAULT 'unused' CHECK (state IN ('unused', 'used'))
);
CREATE INDEX questionnaire_tokens_by_questionnaire ON questionnaire_tokens (questionnaire_id, state);

CREATE TABLE questionnaire_responses (
    id TEXT PRIMARY KEY,
    questionnaire_id BIGINT NOT NULL REFERENCES questionnaires (id) ON DELETE CASCADE,
    -- JSON: {"question id": "text" | number | [numbers]}
    answers TEXT NOT NULL
);
CREATE INDEX questionnaire_responses_by_questionnaire ON questionnaire_responses (questionnaire_id, id);

CREATE TABLE questionnaire_categories (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    question_id BIGINT NOT NULL REFERENCES questionnaire_questions (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    label TEXT NOT NULL,
    definition TEXT NOT NULL DEFAULT ''
);
CREATE INDEX questionnaire_categories_by_question ON questionnaire_categories (question_id, position);

-- Each coder's own codes; a second coder codes blind, seeing only theirs.
CREATE TABLE questionnaire_coding (
    response_id TEXT NOT NULL REFERENCES questionnaire_responses (id) ON DELETE CASCADE,
    category_id BIGINT NOT NULL REFERENCES questionnaire_categories (id) ON DELETE CASCADE,
    coder_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (response_id, category_id, coder_id)
);

-- Answers chosen by hand to quote in a report.
CREATE TABLE questionnaire_quotes (
    response_id TEXT NOT NULL REFERENCES questionnaire_responses (id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL REFERENCES questionnaire_questions (id) ON DELETE CASCADE,
    PRIMARY KEY (response_id, question_id)
);
