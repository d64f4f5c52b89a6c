-- PostgreSQL types DuckDB does not keep: varchar(n), char(n)/bpchar, jsonb, timestamp(p).
-- Result types from casts and from declared table columns, lengths enforced (22001), char(n)
-- padding, jsonb's canonical text, and the catalog as psql \d reads it.
-- extended: reads

CREATE TABLE d17_t (id int PRIMARY KEY, code varchar(5) NOT NULL, flag char(2), tag character, free varchar, bp bpchar, doc jsonb, at timestamp(3), atz timestamptz(0), names varchar(8)[]);
INSERT INTO d17_t VALUES (1, 'ab', 'y', 'z', 'free text', 'bp', '{"b": 1, "a": true, "c": [1, 2]}', '2024-01-02 03:04:05.123', '2024-01-02 03:04:05+00', ARRAY['ann', 'bob']);
INSERT INTO d17_t (id, code, flag) VALUES (2, 'abcde', 'xy') RETURNING id, code, flag, tag;
INSERT INTO d17_t (id, code) VALUES (3, 'abc  ') RETURNING code;
SELECT * FROM d17_t ORDER BY id;
SELECT id, code, flag, doc FROM d17_t WHERE id = 1;
SELECT t.code, t.flag, t.doc -> 'a' AS a, t.doc ->> 'b' AS b, t.names FROM d17_t t ORDER BY t.id;
SELECT code, length(flag) AS flen, flag = 'y' AS is_y, upper(code) AS up FROM d17_t ORDER BY id;
-- error: 22001
INSERT INTO d17_t (id, code) VALUES (4, 'abcdef');
-- error: 22001
INSERT INTO d17_t (id, code, flag) VALUES (4, 'a', 'xyz');
-- error: 22001
UPDATE d17_t SET code = code || 'zzzz' WHERE id = 2;
SELECT count(*) FROM d17_t;
UPDATE d17_t SET flag = 'q' WHERE id = 2 RETURNING id, flag, doc;
DELETE FROM d17_t WHERE id = 3 RETURNING code, flag;

-- casts: truncation, padding, arrays
SELECT 'hello world'::varchar(5) AS v, 'ab'::char(4) AS c, 'abc   '::char(3) AS c3, 'x'::character(2) AS c2;
SELECT ARRAY['a'::varchar(3), 'bcd'] AS va, ARRAY['q'::char(3), NULL] AS ca, NULL::varchar(4)[] AS vn, '{"z": 1, "y": [true]}'::jsonb AS j;
SELECT ARRAY['{"b": 2, "a": 1}'::jsonb] AS ja, '2024-05-06 07:08:09.5'::timestamp(0) AS ts0, 'ab'::varchar(4)::char(3) AS vc;
SELECT 'a'::char(5) = 'a'::char(2) AS eq, length('ab '::char(5)) AS len, 'ab'::char(5) || '|' AS cat;

-- the catalog, as psql's \d and ORMs read it
SELECT a.attname::text AS col, format_type(a.atttypid, a.atttypmod) AS type, a.atttypmod AS typmod FROM pg_attribute a WHERE a.attrelid = 'd17_t'::regclass AND a.attnum > 0 ORDER BY a.attnum;
SELECT column_name::text AS col, data_type::text AS dt, character_maximum_length::int AS len, datetime_precision::int AS prec FROM information_schema.columns WHERE table_name = 'd17_t' ORDER BY ordinal_position;
SELECT count(*) AS checks FROM pg_constraint WHERE conrelid = 'd17_t'::regclass AND contype = 'c';

-- ALTER TABLE keeps the declared types
ALTER TABLE d17_t ADD COLUMN extra varchar(3);
ALTER TABLE d17_t RENAME COLUMN flag TO flag2;
SELECT id, extra, flag2 FROM d17_t ORDER BY id;
SELECT a.attname::text AS col, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a WHERE a.attrelid = 'd17_t'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum;

-- a second table: schema-qualified, joined with the first, a rolled back ADD COLUMN
CREATE TABLE public.d17_u (k char(4) PRIMARY KEY, note varchar(10), meta jsonb);
INSERT INTO d17_u VALUES ('a', 'one', '{"n": 1}'), ('bb', 'two', '[3, {"y": 2, "x": 1}]');
SELECT * FROM public.d17_u ORDER BY k;
SELECT u.k, t.code, u.note FROM d17_u u JOIN d17_t t ON t.id = length(u.k) ORDER BY u.k;
SELECT k, meta -> 0 AS first, meta #> '{1}' AS second, meta #>> '{1,x}' AS x FROM d17_u ORDER BY k;
ALTER TABLE d17_u ADD COLUMN note2 varchar(20);
SELECT note2, note, k FROM d17_u ORDER BY k;
BEGIN;
ALTER TABLE d17_u ADD COLUMN tmp char(2);
ROLLBACK;
SELECT a.attname::text AS col, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a WHERE a.attrelid = 'd17_u'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum;
-- error: 22001
INSERT INTO d17_u (k) VALUES ('abcde');
-- error: 22001
UPDATE d17_u SET note = 'this is far too long for twenty' WHERE k = 'a';
SELECT k, note FROM d17_u WHERE k = 'a';
SELECT CAST('abc' AS character varying(2)) AS a, CAST(NULL AS char(3)) AS b, CAST('{"b": 1, "a": 2}' AS jsonb) AS c;

-- a cursor over the declared columns, and jsonb builders
BEGIN;
DECLARE d17_cur CURSOR FOR SELECT k, note, meta FROM d17_u ORDER BY k;
FETCH 1 FROM d17_cur;
FETCH ALL FROM d17_cur;
CLOSE d17_cur;
COMMIT;
SELECT jsonb_build_object('note', note, 'id', length(k)) AS o, meta FROM d17_u ORDER BY k;
DROP TABLE d17_u;
DROP TABLE d17_t;
