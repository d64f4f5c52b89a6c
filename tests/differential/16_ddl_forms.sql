-- DDL as ORMs, migration tools and pg_dump write it: serial aliases, a serial table dropped
-- and created again, pg_dump's CREATE SEQUENCE form, generated columns, column collations,
-- timestamp precision, composite keys, named constraints, defaults calling functions.

CREATE TABLE d16_a (id serial4 PRIMARY KEY, big serial8, small smallserial, label text COLLATE "C" NOT NULL, created timestamp(3) DEFAULT '2024-01-01 00:00:00.123456', day date DEFAULT CURRENT_DATE, stamp timestamptz DEFAULT now(), uid uuid DEFAULT gen_random_uuid());
INSERT INTO d16_a (label) VALUES ('x'), ('y') RETURNING id, big, small, label;
SELECT id, created, day IS NOT NULL AS has_day, stamp IS NOT NULL AS has_stamp, uid IS NOT NULL AS has_uid FROM d16_a ORDER BY id;
DROP TABLE d16_a;
CREATE TABLE d16_a (id serial PRIMARY KEY, label text);
INSERT INTO d16_a (label) VALUES ('again') RETURNING id;
CREATE TABLE IF NOT EXISTS d16_a (id serial PRIMARY KEY, label text);
INSERT INTO d16_a (label) VALUES ('still') RETURNING id;
CREATE SEQUENCE d16_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
SELECT nextval('d16_seq') AS a, nextval('public.d16_seq') AS b;
CREATE TABLE d16_b (a int NOT NULL, b int NOT NULL, total int GENERATED ALWAYS AS (a + b) STORED, CONSTRAINT d16_b_pk PRIMARY KEY (a, b), CONSTRAINT d16_b_order CHECK (a <= b));
INSERT INTO d16_b (a, b) VALUES (1, 2), (2, 5) RETURNING a, b, total;
-- error: 23514
INSERT INTO d16_b (a, b) VALUES (3, 1);
-- error: 23505
INSERT INTO d16_b (a, b) VALUES (1, 2);
SELECT a, b, total FROM d16_b WHERE total > 3;
CREATE TABLE d16_c (id integer NOT NULL DEFAULT nextval('d16_seq'::regclass), b_a int, b_b int, note character varying, FOREIGN KEY (b_a, b_b) REFERENCES d16_b (a, b));
INSERT INTO d16_c (b_a, b_b, note) VALUES (1, 2, 'ok') RETURNING id, note;
-- error: 23503
INSERT INTO d16_c (b_a, b_b) VALUES (9, 9);
CREATE TABLE d16_d (id int PRIMARY KEY, parent int REFERENCES d16_d (id) ON DELETE CASCADE);
-- a table a foreign key points to: DuckDB alters it only by adding columns, the gateway rebuilds it
ALTER TABLE d16_b ADD COLUMN note text;
ALTER TABLE d16_b RENAME COLUMN note TO remark;
CREATE TABLE d16_g (id int PRIMARY KEY, v int);
INSERT INTO d16_g VALUES (1, 10), (2, 20);
ALTER TABLE d16_g ADD COLUMN note text NOT NULL DEFAULT '';
ALTER TABLE d16_g ADD COLUMN extra text DEFAULT 'e';
ALTER TABLE d16_g RENAME COLUMN extra TO extra2;
SELECT id, note, extra2 FROM d16_g ORDER BY id;
ALTER TABLE d16_g ALTER COLUMN extra2 SET DEFAULT 'f';
INSERT INTO d16_g (id, v) VALUES (3, 30);
-- error: 23502
UPDATE d16_g SET note = NULL WHERE id = 1;
ALTER TABLE d16_g DROP COLUMN extra2;
ALTER TABLE d16_g ALTER COLUMN v TYPE bigint;
ALTER TABLE d16_g RENAME TO d16_h;
SELECT * FROM d16_h ORDER BY id;
DROP TABLE d16_h;
CREATE TABLE d16_e AS SELECT a, b FROM d16_b WITH NO DATA;
SELECT count(*) FROM d16_e;
CREATE TABLE d16_f (LIKE d16_b);
CREATE TABLE public.d16_p (id serial PRIMARY KEY, v text);
INSERT INTO public.d16_p (v) VALUES ('p'), ('q') RETURNING id, v;
SELECT id FROM d16_p WHERE v = 'q';
DROP TABLE public.d16_p;

DROP TABLE d16_e;
DROP TABLE IF EXISTS d16_f;
DROP TABLE IF EXISTS d16_d;
DROP TABLE d16_c;
DROP TABLE d16_b;
DROP TABLE d16_a;
DROP SEQUENCE d16_seq;
