-- Hosts answer messages from the site: the reply is mailed to the sender, so neither side sees
-- the other's address. read_at marks a message its hosts have opened (unread ones come first).
-- Replies go with their message when it is deleted after the keeping period.

ALTER TABLE study_group_messages ADD COLUMN read_at BIGINT;

CREATE TABLE study_group_replies (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id BIGINT NOT NULL REFERENCES study_group_messages (id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    sent_at BIGINT NOT NULL
);
CREATE INDEX study_group_replies_by_message ON study_group_replies (message_id, sent_at);
