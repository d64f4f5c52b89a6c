-- Savepoints inside a transaction (DESIGN: emulate what DuckDB cannot do, or refuse with a
-- clear 0A000 -- never silently ignore). Kept in its own file so that a gateway that refuses
-- them does not disturb the other scenarios.

CREATE TABLE d10_sp (x int PRIMARY KEY);
BEGIN;
INSERT INTO d10_sp VALUES (1);
SAVEPOINT s1;
INSERT INTO d10_sp VALUES (2);
-- diff: sqlstate,txstatus reason: DESIGN allows refusing savepoints with 0A000 (DuckDB has none); the statements after it still count
ROLLBACK TO SAVEPOINT s1;
INSERT INTO d10_sp VALUES (3);
-- diff: sqlstate,txstatus reason: DESIGN allows refusing savepoints with 0A000 (DuckDB has none); the statements after it still count
RELEASE SAVEPOINT s1;
COMMIT;
SELECT x FROM d10_sp ORDER BY x;
BEGIN;
SAVEPOINT s2;
-- error: 23505
INSERT INTO d10_sp VALUES (1);
-- diff: sqlstate,txstatus reason: DESIGN allows refusing savepoints with 0A000 (DuckDB has none); the statements after it still count
ROLLBACK TO s2;
INSERT INTO d10_sp VALUES (4);
COMMIT;
SELECT x FROM d10_sp ORDER BY x;
DROP TABLE d10_sp;
