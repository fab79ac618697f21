-- The intercoder check: each researcher of a project may sort its cards once more, on their
-- own, into groups (free labels, or a fixed code set for Cohen's κ), to compare with another
-- researcher's sorting or with the board. A card left out of every group is a lone card.

CREATE TABLE qda_sortings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES qda_projects (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- One code per line when the sorter chose from a fixed set; empty for free labels.
    code_set TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    UNIQUE (project_id, user_id)
);

CREATE TABLE qda_sorting_places (
    sorting_id BIGINT NOT NULL REFERENCES qda_sortings (id) ON DELETE CASCADE,
    card_id BIGINT NOT NULL REFERENCES qda_nodes (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    PRIMARY KEY (sorting_id, card_id)
);
