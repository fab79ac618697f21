-- Requests counted per client and per fixed window, for the public endpoints' rate limits. In
-- the database, so that every server process counts the same requests.

CREATE TABLE rate_counters (
    bucket TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
