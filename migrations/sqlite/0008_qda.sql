-- Qualitative analysis with the KJ method. A project's cards and groups are one tree of nodes:
-- a card is a passage of a transcript (code points, end exclusive), a group gathers cards and
-- groups under a label (表札). The pseudonym key is a table of its own, read only by members
-- who keep it; every view and export of transcript content is logged.

CREATE TABLE qda_projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE qda_members (
    project_id INTEGER NOT NULL REFERENCES qda_projects (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- 'key_keeper' may read and change the pseudonym key.
    role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'key_keeper')),
    PRIMARY KEY (project_id, user_id)
);

CREATE TABLE qda_pseudonyms (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES qda_projects (id) ON DELETE CASCADE,
    real_name TEXT NOT NULL,
    pseudonym TEXT NOT NULL,
    UNIQUE (project_id, real_name)
);

CREATE TABLE qda_transcripts (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES qda_projects (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('group', 'individual', 'other')),
    session_date TEXT,
    place TEXT NOT NULL DEFAULT '',
    participants INTEGER,
    -- NFC, \n line endings, already pseudonymised.
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX qda_transcripts_by_project ON qda_transcripts (project_id, id);

CREATE TABLE qda_nodes (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES qda_projects (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('card', 'group')),
    parent_id INTEGER REFERENCES qda_nodes (id) ON DELETE SET NULL,
    label TEXT NOT NULL DEFAULT '',
    -- Cards only: the passage, and its exact text.
    transcript_id INTEGER REFERENCES qda_transcripts (id) ON DELETE CASCADE,
    start_at INTEGER,
    end_at INTEGER,
    quote TEXT,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX qda_nodes_by_project ON qda_nodes (project_id, parent_id);
CREATE INDEX qda_nodes_by_transcript ON qda_nodes (transcript_id, start_at);

CREATE TABLE qda_access_log (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES qda_projects (id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX qda_access_log_by_project ON qda_access_log (project_id, recorded_at);
