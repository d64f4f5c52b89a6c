-- Migration DDL as Alembic/Django/psql scripts write it: a UNIQUE constraint added to an
-- existing table (enforced by a unique index), DROP INDEX CONCURRENTLY IF EXISTS, temporary
-- tables used by later autocommit statements, and the refusals that stay.

CREATE TABLE d22_items (id int PRIMARY KEY, code text, name text);
INSERT INTO d22_items VALUES (1, 'a', 'x'), (2, 'b', 'y');
ALTER TABLE d22_items ADD CONSTRAINT d22_items_code_key UNIQUE (code);
-- error: 23505
INSERT INTO d22_items VALUES (3, 'a', 'z');
ALTER TABLE d22_items ADD UNIQUE (name, code);
INSERT INTO d22_items VALUES (3, 'c', 'x');
-- error: 23505
INSERT INTO d22_items VALUES (4, 'c', 'x');
CREATE INDEX CONCURRENTLY d22_items_name_idx ON d22_items (name);
DROP INDEX CONCURRENTLY IF EXISTS d22_items_name_idx;
DROP INDEX CONCURRENTLY IF EXISTS d22_no_such_idx;
SELECT id, code, name FROM d22_items ORDER BY id;
CREATE TEMP TABLE d22_tmp (id int PRIMARY KEY, v text);
INSERT INTO d22_tmp VALUES (1, 'one'), (2, 'two');
UPDATE d22_tmp SET v = upper(v) WHERE id = 2 RETURNING id, v;
SELECT t.id, t.v, i.code FROM d22_tmp t JOIN d22_items i ON i.id = t.id ORDER BY t.id;
-- error: 23505
INSERT INTO d22_tmp VALUES (1, 'again');
BEGIN;
DELETE FROM d22_tmp WHERE id = 1;
COMMIT;
SELECT count(*) FROM d22_tmp;
DROP TABLE d22_tmp;
-- error: 42P01
SELECT * FROM d22_tmp;
CREATE TABLE d22_d (id serial PRIMARY KEY, name text DEFAULT 'anon', n int DEFAULT 5);
INSERT INTO d22_d (id, name) VALUES (DEFAULT, 'x') RETURNING id, name, n;
UPDATE d22_d SET (name, n) = ('z', 9) WHERE id = 1 RETURNING id, name, n;
UPDATE d22_d SET n = DEFAULT, name = DEFAULT WHERE id = 1 RETURNING id, name, n;
DROP TABLE d22_d;
CREATE SEQUENCE d22_seq START 5 INCREMENT 2;
SELECT sequence_schema::text, sequence_name::text, data_type::text, start_value::text, minimum_value::text, maximum_value::text, increment::text, cycle_option::text FROM information_schema.sequences WHERE sequence_name::text = 'd22_seq' ORDER BY 2;
DROP SEQUENCE d22_seq;
CREATE TYPE d22_mood AS ENUM ('sad', 'ok');
-- diff: sqlstate,tag reason: DuckDB cannot alter an ENUM type; refused with 0A000
ALTER TYPE d22_mood ADD VALUE 'happy';
DROP TYPE d22_mood;
DROP TABLE d22_items;
