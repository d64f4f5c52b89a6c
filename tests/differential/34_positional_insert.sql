-- INSERT without a column list giving fewer values than the table has columns: PostgreSQL
-- fills the rest with their defaults (DuckDB alone refuses); more values is 42601.

CREATE TABLE d34_t (a int, b text, "C" int DEFAULT 7, d timestamp DEFAULT '2020-01-01 00:00:00');
INSERT INTO d34_t VALUES (1, 'x');
INSERT INTO d34_t VALUES (2);
INSERT INTO d34_t VALUES (3, '3'), (4, 'y');
INSERT INTO d34_t SELECT 5, 'z';
INSERT INTO d34_t SELECT a + 10 FROM d34_t WHERE a < 3;
INSERT INTO d34_t VALUES (6, 'w', 1) RETURNING *;
INSERT INTO d34_t VALUES (7, 'v', 2, '2021-02-03 04:05:06'), (8, 'u', 3, NULL);
-- error: 42601
INSERT INTO d34_t VALUES (9, 'x', 1, NULL, 5);
SELECT * FROM d34_t ORDER BY a;
CREATE TABLE d34_s (id serial PRIMARY KEY, name text NOT NULL, n int DEFAULT 0);
-- error: 23502
INSERT INTO d34_s VALUES (1);
INSERT INTO d34_s VALUES (100, 'one');
INSERT INTO d34_s VALUES (DEFAULT, 'two') RETURNING id, n;
SELECT * FROM d34_s ORDER BY id;
BEGIN;
CREATE TABLE d34_txn (a int, b int DEFAULT 3);
INSERT INTO d34_txn VALUES (1);
SELECT * FROM d34_txn;
COMMIT;
DROP TABLE d34_txn;
DROP TABLE d34_s;
DROP TABLE d34_t;
