-- The KJ board and exchange with other QDA tools: stable GUIDs (REFI-QDA identifies every
-- source, code and selection by one), a group's memo, where a node sits on the board, the
-- relations of the A型 diagram, the B型 write-up, and a revision number that every change to a
-- project's board raises so that other researchers' boards know to refresh.

ALTER TABLE qda_projects ADD COLUMN writeup TEXT NOT NULL DEFAULT '';
ALTER TABLE qda_projects ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE qda_transcripts ADD COLUMN guid TEXT;
ALTER TABLE qda_nodes ADD COLUMN guid TEXT;
ALTER TABLE qda_nodes ADD COLUMN memo TEXT NOT NULL DEFAULT '';
ALTER TABLE qda_nodes ADD COLUMN board_x INTEGER;
ALTER TABLE qda_nodes ADD COLUMN board_y INTEGER;

UPDATE qda_transcripts SET guid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'
    || substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-'
    || hex(randomblob(6))) WHERE guid IS NULL;
UPDATE qda_nodes SET guid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'
    || substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-'
    || hex(randomblob(6))) WHERE guid IS NULL;
CREATE UNIQUE INDEX qda_transcripts_by_guid ON qda_transcripts (project_id, guid);
CREATE UNIQUE INDEX qda_nodes_by_guid ON qda_nodes (project_id, guid);

CREATE TABLE qda_relations (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES qda_projects (id) ON DELETE CASCADE,
    from_id INTEGER NOT NULL REFERENCES qda_nodes (id) ON DELETE CASCADE,
    to_id INTEGER NOT NULL REFERENCES qda_nodes (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('cause', 'contrast', 'similarity', 'mutual')),
    guid TEXT NOT NULL,
    UNIQUE (project_id, guid)
);
CREATE INDEX qda_relations_by_project ON qda_relations (project_id);
