-- Data-modifying CTEs: WITH x AS (INSERT|UPDATE|DELETE … RETURNING …) SELECT … FROM x, and the
-- same CTE before an INSERT/UPDATE/DELETE (moving rows to an archive). The DML runs first in
-- the statement's transaction and the outer statement reads its RETURNING rows. Two DML CTEs
-- in one statement are refused with 0A000.

CREATE TABLE d25_a (id serial PRIMARY KEY, name text NOT NULL, qty int DEFAULT 0);
CREATE TABLE d25_arch (id int, v int);
WITH ins AS (INSERT INTO d25_a (name, qty) VALUES ('x', 1), ('y', 2) RETURNING id, name) SELECT count(*) FROM ins;
WITH ins AS (INSERT INTO d25_a (name) VALUES ('z') RETURNING *) SELECT * FROM ins;
WITH upd AS (UPDATE d25_a SET qty = qty + 10 WHERE id <= 2 RETURNING id, qty) SELECT id, qty * 2 AS dbl FROM upd ORDER BY id;
WITH del AS (DELETE FROM d25_a WHERE id = 3 RETURNING id, name) SELECT d.id, upper(d.name) FROM del d;
WITH ins AS (INSERT INTO d25_a (name) VALUES ('w') RETURNING id), other AS (SELECT 5 AS five) SELECT ins.id, other.five FROM ins, other;
WITH del AS (DELETE FROM d25_a WHERE id = 999 RETURNING id) SELECT count(*) FROM del;
-- error: 23502
WITH ins AS (INSERT INTO d25_a (name) VALUES (NULL) RETURNING id) SELECT * FROM ins;
-- error: 22012
WITH ins AS (INSERT INTO d25_a (name) VALUES ('v') RETURNING id) SELECT id / 0 FROM ins;
SELECT * FROM d25_a ORDER BY id;
WITH moved AS (DELETE FROM d25_a WHERE qty >= 10 RETURNING id, qty) INSERT INTO d25_arch SELECT id, qty * 10 FROM moved;
WITH up AS (UPDATE d25_a SET qty = qty + 1 RETURNING id) UPDATE d25_arch SET v = 0 WHERE id IN (SELECT id + 0 FROM up) OR id = 1;
WITH d AS (DELETE FROM d25_a WHERE name = 'w' RETURNING id) DELETE FROM d25_arch WHERE id NOT IN (SELECT id FROM d);
SELECT * FROM d25_arch ORDER BY id;
SELECT * FROM d25_a ORDER BY id;
BEGIN;
WITH ins AS (INSERT INTO d25_a (name) VALUES ('t1') RETURNING id, name) SELECT name FROM ins;
SELECT count(*) FROM d25_a;
ROLLBACK;
SELECT count(*) FROM d25_a;
-- diff: sqlstate,names,types,typmods,rows,tag reason: two data-modifying CTEs in one statement are refused with 0A000 (the one-DML form is carried out)
WITH a AS (INSERT INTO d25_a (name) VALUES ('a') RETURNING id), b AS (INSERT INTO d25_a (name) VALUES ('b') RETURNING id) SELECT count(*) FROM a, b;
DROP TABLE d25_a;
DROP TABLE d25_arch;
