-- ADD COLUMN as migrations write it, on tables with indexes and referencing foreign keys
-- (Django's AddField: ADD COLUMN … DEFAULT … NOT NULL, then DROP DEFAULT; every ForeignKey has
-- an index). DuckDB sets NOT NULL with a second ALTER, which it refuses on an indexed table.

CREATE TABLE d37_p (id serial PRIMARY KEY, name varchar(20) NOT NULL);
CREATE TABLE d37_c (id serial PRIMARY KEY, p_id int NOT NULL REFERENCES d37_p (id), n int);
CREATE INDEX d37_c_p_id ON d37_c (p_id);
INSERT INTO d37_p (name) VALUES ('a'), ('b');
INSERT INTO d37_c (p_id, n) VALUES (1, 10), (2, 20), (1, 30);
ALTER TABLE d37_c ADD COLUMN label varchar(10) DEFAULT 'none' NOT NULL;
ALTER TABLE d37_c ALTER COLUMN label DROP DEFAULT;
SELECT id, p_id, n, label FROM d37_c ORDER BY id;
-- error: 23502
INSERT INTO d37_c (p_id, n) VALUES (2, 40);
-- error: 22001
INSERT INTO d37_c (p_id, n, label) VALUES (2, 40, 'much too long');
INSERT INTO d37_c (p_id, n, label) VALUES (2, 40, 'fits') RETURNING label;
ALTER TABLE d37_p ADD COLUMN rank int DEFAULT 0 NOT NULL;
ALTER TABLE d37_p ADD COLUMN code varchar(4);
-- error: 22001
UPDATE d37_p SET code = 'toolong' WHERE id = 1;
UPDATE d37_p SET code = 'ok' WHERE id = 1;
SELECT id, name, rank, code FROM d37_p ORDER BY id;
SELECT p.name, count(*) FROM d37_p p JOIN d37_c c ON c.p_id = p.id GROUP BY p.name ORDER BY 1;
-- error: 23503
DELETE FROM d37_p WHERE id = 1;
-- error: 23503
INSERT INTO d37_c (p_id, n, label) VALUES (99, 1, 'x');
ALTER TABLE d37_c ADD COLUMN flag boolean NOT NULL DEFAULT false;
SELECT count(*), bool_or(flag) FROM d37_c;
BEGIN;
ALTER TABLE d37_c ADD COLUMN score numeric(6,2) DEFAULT 1.5 NOT NULL;
ALTER TABLE d37_c ALTER COLUMN score DROP DEFAULT;
ALTER TABLE d37_p ADD COLUMN note text DEFAULT 'n';
UPDATE d37_c SET score = score * 2 WHERE n > 15;
COMMIT;
SELECT n, score FROM d37_c ORDER BY n;
SELECT name, note FROM d37_p ORDER BY name;
BEGIN;
INSERT INTO d37_p (name) VALUES ('c');
ALTER TABLE d37_p ADD COLUMN active boolean NOT NULL DEFAULT true;
SELECT name, active FROM d37_p ORDER BY name;
ROLLBACK;
SELECT column_name::text FROM information_schema.columns WHERE table_name = 'd37_p' ORDER BY ordinal_position;
SELECT indexname FROM pg_indexes WHERE tablename IN ('d37_c', 'd37_p') ORDER BY 1;
DROP TABLE d37_c;
DROP TABLE d37_p;
