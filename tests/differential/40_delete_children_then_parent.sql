-- Deleting the referencing rows and then the row they referenced, in one transaction: what
-- Django's delete collector and every ORM's cascade do. DuckDB alone refuses the second
-- DELETE (its foreign-key index still holds the deleted rows).

CREATE TABLE d40_p (id int PRIMARY KEY, name text);
CREATE TABLE d40_c (id int PRIMARY KEY, pid int REFERENCES d40_p (id), note text);
CREATE TABLE d40_g (id int, cid int REFERENCES d40_c (id));
CREATE INDEX d40_c_pid ON d40_c (pid);
INSERT INTO d40_p VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd');
INSERT INTO d40_c VALUES (1, 1, 'x'), (2, 2, 'y'), (3, 3, 'z'), (4, 3, 'w');
INSERT INTO d40_g VALUES (1, 1), (2, 2), (3, 4);
BEGIN;
DELETE FROM d40_g WHERE cid IN (1);
DELETE FROM d40_c WHERE pid IN (1);
DELETE FROM d40_p WHERE id IN (1);
COMMIT;
SELECT (SELECT count(*) FROM d40_p), (SELECT count(*) FROM d40_c), (SELECT count(*) FROM d40_g);
BEGIN;
DELETE FROM d40_g WHERE cid IN (SELECT id FROM d40_c WHERE pid = 3);
DELETE FROM d40_c WHERE pid = 3 RETURNING id;
DELETE FROM d40_p WHERE id = 3 RETURNING name;
SELECT count(*) FROM d40_c;
ROLLBACK;
SELECT (SELECT count(*) FROM d40_p), (SELECT count(*) FROM d40_c), (SELECT count(*) FROM d40_g);
BEGIN;
DELETE FROM d40_c WHERE id = 99;
-- error: 23503
DELETE FROM d40_p WHERE id = 2;
ROLLBACK;
BEGIN;
UPDATE d40_c SET note = 'moved' WHERE pid = 2;
DELETE FROM d40_g WHERE cid = 2;
DELETE FROM d40_c WHERE pid = 2;
DELETE FROM d40_p WHERE id = 2;
INSERT INTO d40_p VALUES (2, 'again');
INSERT INTO d40_c VALUES (2, 2, 'new');
COMMIT;
SELECT * FROM d40_c ORDER BY id;
SELECT indexname FROM pg_indexes WHERE tablename = 'd40_c' ORDER BY 1;
-- error: 23503
INSERT INTO d40_c VALUES (9, 99, 'orphan');
BEGIN;
DELETE FROM d40_g;
DELETE FROM d40_c;
DELETE FROM d40_p;
COMMIT;
SELECT (SELECT count(*) FROM d40_p), (SELECT count(*) FROM d40_c), (SELECT count(*) FROM d40_g);
DROP TABLE d40_g;
DROP TABLE d40_c;
DROP TABLE d40_p;
