-- Acceptance sweep, round 2: query forms applications and drivers send that round 1 did not
-- cover: regexp_match / regexp_matches without 'g' / substring(s from pattern), integer
-- division of typed operands, ROW(…) in json functions, scalar functions in FROM (pgjdbc's
-- CallableStatement), jsonb aggregate/set-returning names and types, CHECK (length(c) < n).

-- extended
SELECT regexp_match('foo123bar', '(\d+)'), regexp_match('ab', '(a)(b)?'), regexp_match('abc', 'B', 'i'), regexp_match('abc', 'z');
-- extended
SELECT regexp_matches('foo123', '\d+');
-- extended
SELECT regexp_matches('foo123', '(o)(\d)', 'i');
-- extended
SELECT regexp_matches('foo', 'x');
-- extended
SELECT substring('foobar' from 'o+b'), substring('foobar' from 'o(o)b'), substring('foobar', 'z'), substring('foobar' from 2 for 3), substring('foobar', 3);
-- extended
SELECT x, regexp_match(x, '(\d+)-(\d+)'), substring(x from '\d+$') FROM (VALUES ('10-20'), ('a'), (NULL)) v(x) ORDER BY x;
-- extended
SELECT 10::int / 3, 7::smallint / 2::smallint, 10::bigint / 4, -7::int / 2, 9::int2 / 2;
-- extended
SELECT row_to_json(row(1, 'a')), to_json(row(1, 'a')), json_build_object('r', row(1, 2)), row_to_json(row(1, NULL::text));
-- extended
SELECT jsonb_object_agg(k, v), json_object_agg(k, v) FROM (VALUES ('a', 1), ('b', 2)) t(k, v);
-- extended
SELECT jsonb_array_elements('[1, "a", {"b": 2}]');
-- extended
SELECT * FROM upper('abc') AS result;
-- extended
SELECT * FROM lower('ABC');
-- extended
SELECT r.x FROM length('abcd') r(x);
-- extended
SELECT * FROM abs(-3) a, md5('x') m;
-- extended
SELECT * FROM coalesce(NULL, 5) AS c;
-- extended
SELECT array_replace(ARRAY[1,2,1], 1, 9), array_replace(ARRAY['a',NULL], NULL, 'z'), array_replace(NULL::int[], 1, 2);
-- extended
SELECT overlay('Txxxxas' placing 'hom' from 2 for 4), overlay('abc' placing 'XY' from 2), overlay('abc' placing '' from 1 for 1);
-- extended
SELECT bit_and(x), bit_or(x), bit_xor(x) FROM (VALUES (1), (3)) v(x);
-- diff: types,ext-binary:rows reason: pg_typeof() is text here (regtype in PostgreSQL); the names are PostgreSQL's
SELECT pg_typeof(now()), pg_typeof(1::int2 + 1), pg_typeof(1.5), pg_typeof('a'::varchar || 'b'), pg_typeof(ARRAY[1.5]), pg_typeof('x'::text), pg_typeof(1.5::float8), pg_typeof(1::float4);
-- extended
SELECT ltrim('xxy', 'x'), rtrim('a '), trim(leading 'x' from 'xxy'), trim(trailing from 'b  '), btrim(' a '), trim(' a ');
-- extended
SELECT 1::int + '2', '2' + 1, 1 + '2', 1.5 * '2', '3' - 1::bigint, 10 / '4', 2.5 + '0.25', '7' % 4;
-- error: 22P02
SELECT 1 + 'x';
-- extended
SELECT array_length('{}'::int[], 1), array_length('{}'::int[], 1) IS NULL, array_upper('{}'::int[], 1), array_lower('{}'::int[], 1), cardinality('{}'::int[]), array_length(ARRAY[1,2], 1), array_upper(ARRAY[1,2], 1);
-- extended
SELECT pg_postmaster_start_time() < now(), pg_conf_load_time() <= now(), pg_postmaster_start_time() IS NOT NULL;
-- diff: sqlstate,tag reason: DuckDB takes only deterministic CHECK constraints; refused with 0A000 (it said 42703, an unknown column CURRENT_TIMESTAMP)
CREATE TABLE d24_now (ts timestamptz CHECK (ts < now() + interval '100 years'));
-- diff: sqlstate reason: the table above was refused
DROP TABLE d24_now;
CREATE TABLE d24_ck2 (email text CHECK (position('@' in email) > 1), code text CHECK (code ~ '^[a-z]+$'), nm text CHECK (lower(nm) = nm), t text CHECK (trim(t) <> ''), j jsonb CHECK (jsonb_typeof(j) = 'object'), arr int[] CHECK (array_length(arr, 1) > 0));
INSERT INTO d24_ck2 VALUES ('a@b', 'abc', 'x', 'y', '{"a":1}', '{1}');
-- error: 23514
INSERT INTO d24_ck2 (email) VALUES ('@b');
-- error: 23514
INSERT INTO d24_ck2 (code) VALUES ('AB');
-- error: 23514
INSERT INTO d24_ck2 (nm) VALUES ('AB');
-- error: 23514
INSERT INTO d24_ck2 (j) VALUES ('[1]');
INSERT INTO d24_ck2 (arr) VALUES ('{}');
SELECT count(*) FROM d24_ck2;
DROP TABLE d24_ck2;
CREATE TABLE d24_ck (id int PRIMARY KEY, note text, CONSTRAINT d24_ck_note CHECK (length(note) < 5), CHECK (char_length(note) > 0));
INSERT INTO d24_ck VALUES (1, 'abcd');
-- error: 23514
INSERT INTO d24_ck VALUES (2, 'abcde');
-- error: 23514
INSERT INTO d24_ck VALUES (3, '');
-- error: 23505
INSERT INTO d24_ck VALUES (4, 'a'), (4, 'b');
SELECT * FROM d24_ck ORDER BY id;
DROP TABLE d24_ck;
