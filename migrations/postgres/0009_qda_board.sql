-- The KJ board and exchange with other QDA tools: stable GUIDs (REFI-QDA identifies every
-- source, code and selection by one), a group's memo, where a node sits on the board, the
-- relations of the A型 diagram, the B型 write-up, and a revision number that every change to a
-- project's board raises so that other researchers' boards know to refresh.

ALTER TABLE qda_projects ADD COLUMN writeup TEXT NOT NULL DEFAULT '';
ALTER TABLE qda_projects ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE qda_transcripts ADD COLUMN guid TEXT;
ALTER TABLE qda_nodes ADD COLUMN guid TEXT;
ALTER TABLE qda_nodes ADD COLUMN memo TEXT NOT NULL DEFAULT '';
ALTER TABLE qda_nodes ADD COLUMN board_x BIGINT;
ALTER TABLE qda_nodes ADD COLUMN board_y BIGINT;

UPDATE qda_transcripts SET guid = gen_random_uuid()::text WHERE guid IS NULL;
UPDATE qda_nodes SET guid = gen_random_uuid()::text WHERE guid IS NULL;
CREATE UNIQUE INDEX qda_transcripts_by_guid ON qda_transcripts (project_id, guid);
CREATE UNIQUE INDEX qda_nodes_by_guid ON qda_nodes (project_id, guid);

CREATE TABLE qda_relations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES qda_projects (id) ON DELETE CASCADE,
    from_id BIGINT NOT NULL REFERENCES qda_nodes (id) ON DELETE CASCADE,
    to_id BIGINT NOT NULL REFERENCES qda_nodes (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('cause', 'contrast', 'similarity', 'mutual')),
    guid TEXT NOT NULL,
    UNIQUE (project_id, guid)
);
CREATE INDEX qda_relations_by_project ON qda_relations (project_id);
