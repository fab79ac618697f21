-- Registration, the whole of it: allocation modes (first come, lottery, organiser approval),
-- application frames (枠) with their own capacity, extra questions, email confirmation,
-- waitlist offers, attendance per day, a log of organisers' decisions, the mail outbox, the
-- lottery's commitment and record, and anonymous counts kept after personal data is purged.

ALTER TABLE trainings ADD COLUMN allocation TEXT NOT NULL DEFAULT 'first_come'
    CHECK (allocation IN ('first_come', 'lottery', 'approval'));
ALTER TABLE trainings ADD COLUMN hold_hours INTEGER NOT NULL DEFAULT 48;
ALTER TABLE trainings ADD COLUMN offer_hours INTEGER NOT NULL DEFAULT 48;
ALTER TABLE trainings ADD COLUMN retention_months INTEGER NOT NULL DEFAULT 12;
ALTER TABLE trainings ADD COLUMN personal_data_purged_at INTEGER;

CREATE TABLE training_frames (
    id INTEGER PRIMARY KEY,
    training_id INTEGER NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    capacity INTEGER NOT NULL CHECK (capacity >= 0)
);
CREATE INDEX training_frames_by_training ON training_frames (training_id, position);

CREATE TABLE training_questions (
    id INTEGER PRIMARY KEY,
    training_id INTEGER NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    label_en TEXT NOT NULL DEFAULT '',
    required_at INTEGER
);
CREATE INDEX training_questions_by_training ON training_questions (training_id, position);

-- SQLite cannot change a CHECK in place: the new status 'lottery' (entered in a draw) needs the
-- table rebuilt.
CREATE TABLE applications_new (
    id INTEGER PRIMARY KEY,
    training_id INTEGER NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    frame_id INTEGER REFERENCES training_frames (id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('held', 'confirmed', 'waitlisted', 'pending_approval', 'lottery', 'declined', 'cancelled', 'expired')),
    waitlist_position INTEGER,
    name TEXT NOT NULL,
    furigana TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    backgrounds TEXT NOT NULL,
    background_other TEXT NOT NULL DEFAULT '',
    motivation TEXT NOT NULL DEFAULT '',
    access_needs TEXT NOT NULL DEFAULT '',
    answers TEXT NOT NULL DEFAULT '[]',
    privacy_version TEXT NOT NULL,
    lang TEXT NOT NULL CHECK (lang IN ('ja', 'en')),
    manage_digest TEXT NOT NULL UNIQUE,
    manage_nonce TEXT NOT NULL DEFAULT '',
    hold_expires_at INTEGER,
    email_verified_at INTEGER,
    offered_at INTEGER,
    lottery_rank INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (training_id, email)
);
INSERT INTO applications_new (id, training_id, status, waitlist_position, name, furigana, email, phone,
    backgrounds, background_other, motivation, access_needs, privacy_version, lang, manage_digest,
    hold_expires_at, email_verified_at, created_at, updated_at)
SELECT id, training_id, status, waitlist_position, name, furigana, email, phone,
    backgrounds, background_other, motivation, access_needs, privacy_version, lang, manage_digest,
    hold_expires_at, CASE WHEN status = 'confirmed' THEN updated_at END, created_at, updated_at
FROM applications;
DROP TABLE applications;
ALTER TABLE applications_new RENAME TO applications;
CREATE INDEX applications_by_training ON applications (training_id, status);
CREATE INDEX applications_holds ON applications (status, hold_expires_at);
-- Covers the seat count made under the training's lock, so it reads the index alone.
CREATE INDEX applications_seats ON applications (training_id, status, frame_id, waitlist_position, hold_expires_at);

CREATE TABLE application_log (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX application_log_by_application ON application_log (application_id, at);

CREATE TABLE attendance (
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    day_on TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('present', 'absent')),
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (application_id, day_on)
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    training_id INTEGER REFERENCES trainings (id) ON DELETE CASCADE,
    application_id INTEGER REFERENCES applications (id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,
    lang TEXT NOT NULL CHECK (lang IN ('ja', 'en')),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_until INTEGER,
    sent_at INTEGER,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_waiting ON outbox (sent_at, next_attempt_at);
CREATE INDEX outbox_by_training ON outbox (training_id);

-- The seed is drawn before anyone applies and only its SHA-256 is shown until the draw; the
-- record is the list drawn from and the result, enough for anyone to repeat the draw.
CREATE TABLE lotteries (
    training_id INTEGER PRIMARY KEY REFERENCES trainings (id) ON DELETE CASCADE,
    seed TEXT NOT NULL,
    seed_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    drawn_at INTEGER,
    record TEXT
);

-- What remains of the applications once personal data is purged: numbers, no people.
CREATE TABLE retained_background_counts (
    training_id INTEGER NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    background TEXT NOT NULL,
    participants INTEGER NOT NULL,
    PRIMARY KEY (training_id, background)
);
