-- A catalogue import is written in short transactions of a few rows each, so that applicants
-- never wait behind it for the write lock. Until its last chunk is in, the rows it wrote carry
-- its id in import_id and no reader sees them; then one short transaction clears the marks.
-- An import that failed is removed at once; one whose process died is removed by housekeeping
-- when it has not moved for a while (touched_at).
CREATE TABLE catalogue_imports (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at BIGINT NOT NULL,
    touched_at BIGINT NOT NULL
);

ALTER TABLE venues ADD COLUMN import_id BIGINT;
ALTER TABLE trainings ADD COLUMN import_id BIGINT;
ALTER TABLE study_groups ADD COLUMN import_id BIGINT;

CREATE INDEX venues_pending_import ON venues (import_id) WHERE import_id IS NOT NULL;
CREATE INDEX trainings_pending_import ON trainings (import_id) WHERE import_id IS NOT NULL;
CREATE INDEX study_groups_pending_import ON study_groups (import_id) WHERE import_id IS NOT NULL;
