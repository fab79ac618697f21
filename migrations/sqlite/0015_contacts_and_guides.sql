-- Who runs the site and how to reach them (one row, edited by administrators), and each
-- training's practical guide for participants: whom to contact, what to bring, how to pay.
-- A training without its own contact shows the operator's.
CREATE TABLE operator_profile (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    organisation TEXT NOT NULL DEFAULT '',
    organisation_en TEXT NOT NULL DEFAULT '',
    representative TEXT NOT NULL DEFAULT '',
    representative_en TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    address_en TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    hours TEXT NOT NULL DEFAULT '',
    hours_en TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);

CREATE TABLE training_guides (
    training_id INTEGER PRIMARY KEY REFERENCES trainings (id) ON DELETE CASCADE,
    contact_name TEXT NOT NULL DEFAULT '',
    contact_name_en TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    bring TEXT NOT NULL DEFAULT '',
    bring_en TEXT NOT NULL DEFAULT '',
    payment TEXT NOT NULL DEFAULT '',
    payment_en TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);
