-- Messages to a study group's hosts, sent through the site so that hosts' own addresses are never
-- published. Kept for a limited time (see kizuki_domain::contact); the client digest (a hash of
-- the sender's network address) only serves to slow down floods and goes with the message.

CREATE TABLE study_group_messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES study_groups (id) ON DELETE CASCADE,
    sender_name TEXT NOT NULL,
    sender_email TEXT NOT NULL,
    body TEXT NOT NULL,
    lang TEXT NOT NULL CHECK (lang IN ('ja', 'en')),
    client_digest TEXT NOT NULL,
    sent_at BIGINT NOT NULL
);
CREATE INDEX study_group_messages_by_group ON study_group_messages (group_id, sent_at);
CREATE INDEX study_group_messages_by_client ON study_group_messages (client_digest, sent_at);
