-- Qualitative analysis with the KJ method. A project's cards and groups are one tree of nodes:
-- a card is a passage of a transcript (code points, end exclusive), a group gathers cards and
-- groups under a label (表札). The pseudonym key is a table of its own, read only by members
-- who keep it; every view and export of transcript content is logged.

CREATE TABLE qda_projects (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE qda_members (
    project_id BIGINT NOT NULL REFERENCES qda_projects (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- 'key_keeper' may read and change the pseudonym key.
    role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'key_keeper')),
    PRIMARY KEY (project_id, user_id)
);

CREATE TABLE qda_pseudonyms (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES qda_projects (id) ON DELETE CASCADE,
    real_name TEXT NOT NULL,
    pseudonym TEXT NOT NULL,
    UNIQUE (project_id, real_name)
);

CREATE TABLE qda_transcripts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES qda_projects (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('group', 'individual', 'other')),
    session_date TEXT,
    place TEXT NOT NULL DEFAULT '',
    participants BIGINT,
    -- NFC, \n line endings, already pseudonymised.
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX qda_transcripts_by_project ON qda_transcripts (project_id, id);

CREATE TABLE qda_nodes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES qda_projects (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('card', 'group')),
    parent_id BIGINT REFERENCES qda_nodes (id) ON DELETE SET NULL,
    label TEXT NOT NULL DEFAULT '',
    -- Cards only: the passage, and its exact text.
    transcript_id BIGINT REFERENCES qda_transcripts (id) ON DELETE CASCADE,
    start_at BIGINT,
    end_at BIGINT,
    quote TEXT,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX qda_nodes_by_project ON qda_nodes (project_id, parent_id);
CREATE INDEX qda_nodes_by_transcript ON qda_nodes (transcript_id, start_at);

CREATE TABLE qda_access_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES qda_projects (id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX qda_access_log_by_project ON qda_access_log (project_id, recorded_at);
