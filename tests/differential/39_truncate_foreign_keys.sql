-- TRUNCATE of tables joined by foreign keys (Django's flush, test-suite cleaners): all in one
-- statement, CASCADE, and PostgreSQL's refusal of a referenced table truncated alone.

CREATE TABLE d39_p (id serial PRIMARY KEY, name text);
CREATE TABLE d39_c (id int, pid int REFERENCES d39_p (id), note text);
CREATE INDEX d39_c_pid ON d39_c (pid);
CREATE TABLE d39_gc (id int PRIMARY KEY, cid int);
CREATE TABLE d39_o (id int);
COMMENT ON TABLE d39_c IS 'children';
INSERT INTO d39_p (name) VALUES ('a'), ('b');
INSERT INTO d39_c VALUES (1, 1, 'x'), (2, 2, 'y');
INSERT INTO d39_o VALUES (1);
-- error: 0A000
TRUNCATE d39_p;
-- error: 0A000
TRUNCATE d39_p, d39_o;
TRUNCATE d39_p, d39_c, d39_o;
SELECT (SELECT count(*) FROM d39_p), (SELECT count(*) FROM d39_c), (SELECT count(*) FROM d39_o);
INSERT INTO d39_p (name) VALUES ('c') RETURNING id;
INSERT INTO d39_c VALUES (3, 3, 'z');
BEGIN;
TRUNCATE d39_p CASCADE;
SELECT count(*) FROM d39_c;
ROLLBACK;
SELECT count(*) FROM d39_c;
TRUNCATE TABLE ONLY d39_c, d39_p RESTRICT;
SELECT count(*) FROM d39_p;
INSERT INTO d39_p (name) VALUES ('d') RETURNING id;
-- error: 23503
INSERT INTO d39_c VALUES (4, 99, 'bad');
INSERT INTO d39_c VALUES (4, 4, 'ok');
SELECT obj_description('d39_c'::regclass, 'pg_class');
SELECT indexname FROM pg_indexes WHERE tablename = 'd39_c';
TRUNCATE d39_gc;
-- error: 42P01
TRUNCATE d39_nope, d39_p;
SELECT count(*) FROM d39_c;
DROP TABLE d39_c;
DROP TABLE d39_p;
DROP TABLE d39_gc;
DROP TABLE d39_o;
