-- An applicant chooses whether the facilitators of their training read their access needs too
-- (organisers always do): 1 when they agreed. Applications made before asked nobody, so 0.
ALTER TABLE applications ADD COLUMN share_access_needs BIGINT NOT NULL DEFAULT 0;
