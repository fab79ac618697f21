-- Applications to trainings. A seat is "taken" by a held or confirmed application; the
-- allocation (kizuki_store::applications) counts and inserts inside one write-locked
-- transaction, so the seats taken never exceed the training's capacity.

CREATE TABLE applications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    training_id BIGINT NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('held', 'confirmed', 'waitlisted', 'pending_approval', 'declined', 'cancelled', 'expired')),
    waitlist_position BIGINT,
    name TEXT NOT NULL,
    furigana TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    backgrounds TEXT NOT NULL,
    background_other TEXT NOT NULL DEFAULT '',
    motivation TEXT NOT NULL DEFAULT '',
    access_needs TEXT NOT NULL DEFAULT '',
    privacy_version TEXT NOT NULL,
    lang TEXT NOT NULL CHECK (lang IN ('ja', 'en')),
    manage_digest TEXT NOT NULL UNIQUE,
    hold_expires_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (training_id, email)
);
CREATE INDEX applications_by_training ON applications (training_id, status);
