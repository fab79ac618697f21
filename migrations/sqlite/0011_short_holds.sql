-- An unconfirmed application holds its seat for minutes, not days: a seat held for 48 hours
-- by an address nobody confirms can be taken in bulk and kept from real applicants. Every
-- training starts at the new default; organisers may lengthen it (up to four hours).
ALTER TABLE trainings ADD COLUMN hold_minutes INTEGER NOT NULL DEFAULT 30;
ALTER TABLE trainings DROP COLUMN hold_hours;
