-- Where a card or group lies on the KJ board's table, relative to the inside of the group that
-- holds it (so that moving a group carries its cards). Kept apart from board_x and board_y,
-- which arrange the A型 diagram: the table holds every card, the diagram only the groups, at
-- another scale. Shared by the project's researchers, as one table is in the KJ method.

ALTER TABLE qda_nodes ADD COLUMN spread_x INTEGER;
ALTER TABLE qda_nodes ADD COLUMN spread_y INTEGER;
