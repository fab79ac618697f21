-- Answers are mixed before they are written, so that nothing the database keeps (the order of
-- rows, a backup, the write-ahead log) lines up the order codes were used with their answers.
-- A code taken by a server is marked used at once (so it admits one answer across servers) and
-- carries that server's mixer in holder until its answer is written with others, in random
-- order, in one transaction; then holder is cleared. A mixer that stops being seen (its server
-- died with answers in memory) has its codes given back, unused, so they can answer again.
ALTER TABLE questionnaire_tokens ADD COLUMN holder TEXT;
CREATE INDEX questionnaire_tokens_held ON questionnaire_tokens (holder) WHERE holder IS NOT NULL;

CREATE TABLE answer_mixers (
    holder TEXT PRIMARY KEY,
    seen_at BIGINT NOT NULL
);
