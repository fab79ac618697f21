-- Registration, the whole of it: allocation modes (first come, lottery, organiser approval),
-- application frames (枠) with their own capacity, extra questions, email confirmation,
-- waitlist offers, attendance per day, a log of organisers' decisions, the mail outbox, the
-- lottery's commitment and record, and anonymous counts kept after personal data is purged.

ALTER TABLE trainings ADD COLUMN allocation TEXT NOT NULL DEFAULT 'first_come'
    CHECK (allocation IN ('first_come', 'lottery', 'approval'));
ALTER TABLE trainings ADD COLUMN hold_hours BIGINT NOT NULL DEFAULT 48;
ALTER TABLE trainings ADD COLUMN offer_hours BIGINT NOT NULL DEFAULT 48;
ALTER TABLE trainings ADD COLUMN retention_months BIGINT NOT NULL DEFAULT 12;
ALTER TABLE trainings ADD COLUMN personal_data_purged_at BIGINT;

CREATE TABLE training_frames (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    training_id BIGINT NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    capacity BIGINT NOT NULL CHECK (capacity >= 0)
);
CREATE INDEX training_frames_by_training ON training_frames (training_id, position);

CREATE TABLE training_questions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    training_id BIGINT NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    label TEXT NOT NULL,
    label_en TEXT NOT NULL DEFAULT '',
    required_at BIGINT
);
CREATE INDEX training_questions_by_training ON training_questions (training_id, position);

ALTER TABLE applications DROP CONSTRAINT applications_status_check;
ALTER TABLE applications ADD CONSTRAINT applications_status_check
    CHECK (status IN ('held', 'confirmed', 'waitlisted', 'pending_approval', 'lottery', 'declined', 'cancelled', 'expired'));
ALTER TABLE applications ADD COLUMN frame_id BIGINT REFERENCES training_frames (id) ON DELETE SET NULL;
ALTER TABLE applications ADD COLUMN answers TEXT NOT NULL DEFAULT '[]';
ALTER TABLE applications ADD COLUMN manage_nonce TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN email_verified_at BIGINT;
ALTER TABLE applications ADD COLUMN offered_at BIGINT;
ALTER TABLE applications ADD COLUMN lottery_rank BIGINT;
UPDATE applications SET email_verified_at = updated_at WHERE status = 'confirmed';
CREATE INDEX applications_holds ON applications (status, hold_expires_at);
-- Covers the seat count made under the training's lock, so it reads the index alone.
CREATE INDEX applications_seats ON applications (training_id, status, frame_id, waitlist_position, hold_expires_at);

CREATE TABLE application_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    actor_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX application_log_by_application ON application_log (application_id, at);

CREATE TABLE attendance (
    application_id BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    day_on TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('present', 'absent')),
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (application_id, day_on)
);

CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    training_id BIGINT REFERENCES trainings (id) ON DELETE CASCADE,
    application_id BIGINT REFERENCES applications (id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,
    lang TEXT NOT NULL CHECK (lang IN ('ja', 'en')),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    claimed_until BIGINT,
    sent_at BIGINT,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_waiting ON outbox (sent_at, next_attempt_at);
CREATE INDEX outbox_by_training ON outbox (training_id);

-- The seed is drawn before anyone applies and only its SHA-256 is shown until the draw; the
-- record is the list drawn from and the result, enough for anyone to repeat the draw.
CREATE TABLE lotteries (
    training_id BIGINT PRIMARY KEY REFERENCES trainings (id) ON DELETE CASCADE,
    seed TEXT NOT NULL,
    seed_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    drawn_at BIGINT,
    record TEXT
);

-- What remains of the applications once personal data is purged: numbers, no people.
CREATE TABLE retained_background_counts (
    training_id BIGINT NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    background TEXT NOT NULL,
    participants BIGINT NOT NULL,
    PRIMARY KEY (training_id, background)
);
