-- Catalogue: venues, people (facilitators), trainings with their days, study groups with their
-- meeting rule and one-off changes. Civil dates are TEXT 'YYYY-MM-DD', times of day 'HH:MM'
-- (Japan time); coordinates are integer microdegrees.

CREATE TABLE venues (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'place' CHECK (kind IN ('place', 'online')),
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    prefecture_code BIGINT CHECK (prefecture_code BETWEEN 1 AND 47),
    municipality TEXT NOT NULL DEFAULT '',
    latitude_e6 BIGINT,
    longitude_e6 BIGINT,
    access_notes TEXT NOT NULL DEFAULT '',
    access_notes_en TEXT NOT NULL DEFAULT '',
    accessibility TEXT NOT NULL DEFAULT '',
    accessibility_notes TEXT NOT NULL DEFAULT '',
    accessibility_notes_en TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX venues_by_place ON venues (prefecture_code, municipality);

CREATE TABLE people (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    bio TEXT NOT NULL DEFAULT '',
    bio_en TEXT NOT NULL DEFAULT '',
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE trainings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title TEXT NOT NULL,
    title_en TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('basic', 'five_day', 'advanced', 'facilitator', 'lecture')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'application_open', 'application_closed', 'held', 'cancelled')),
    venue_id BIGINT REFERENCES venues (id) ON DELETE RESTRICT,
    language_note TEXT NOT NULL DEFAULT '',
    language_note_en TEXT NOT NULL DEFAULT '',
    fee_yen BIGINT,
    fee_note TEXT NOT NULL DEFAULT '',
    fee_note_en TEXT NOT NULL DEFAULT '',
    capacity BIGINT,
    applications_open_on TEXT,
    applications_close_on TEXT,
    programme_version TEXT NOT NULL DEFAULT '',
    attendance_count BIGINT,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX trainings_by_venue ON trainings (venue_id);

CREATE TABLE training_days (
    training_id BIGINT NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    day_on TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    PRIMARY KEY (training_id, day_on)
);
CREATE INDEX training_days_by_date ON training_days (day_on);

CREATE TABLE training_facilitators (
    training_id BIGINT NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    position BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (training_id, person_id)
);

CREATE TABLE study_groups (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    venue_id BIGINT REFERENCES venues (id) ON DELETE RESTRICT,
    host_name TEXT NOT NULL DEFAULT '',
    host_name_en TEXT NOT NULL DEFAULT '',
    recurrence_rule TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    first_meeting_on TEXT NOT NULL,
    contact_note TEXT NOT NULL DEFAULT '',
    contact_note_en TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('pending_approval', 'active', 'paused', 'ended')),
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    approved_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    approved_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX study_groups_by_venue ON study_groups (venue_id);

CREATE TABLE study_group_hosts (
    group_id BIGINT NOT NULL REFERENCES study_groups (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);

CREATE TABLE study_group_changes (
    group_id BIGINT NOT NULL REFERENCES study_groups (id) ON DELETE CASCADE,
    original_on TEXT NOT NULL,
    change TEXT NOT NULL CHECK (change IN ('moved', 'cancelled')),
    moved_to_on TEXT,
    starts_at TEXT,
    ends_at TEXT,
    note TEXT NOT NULL DEFAULT '',
    note_en TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (group_id, original_on)
);
