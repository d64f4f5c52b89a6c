-- What an acceptance suite of real clients runs first: unaliased result column names (pandas
-- and dict rows key on them), SIMILAR TO, input syntax errors, overflow errors, constraint
-- violations named as PostgreSQL names them, and PostgreSQL types DuckDB does not have.

CREATE TABLE d19_t (id int PRIMARY KEY, name text, tags text[], ts timestamp, n int);
INSERT INTO d19_t VALUES (1, 'abc', '{a,b}', '2024-05-17 10:00:00', 3), (2, 'xyz', '{c}', '2024-06-01 00:00:00', 5);
-- extended
SELECT row_number() OVER (ORDER BY id), rank() OVER (ORDER BY n), sum(n) OVER () FROM d19_t ORDER BY id;
-- extended
SELECT lpad(name, 5, '*'), rpad(name, 5), position('b' in name), array_length(tags, 1) FROM d19_t ORDER BY id;
-- extended
SELECT date_trunc('month', ts), tags[1], (ARRAY[1,2,3])[2:3] FROM d19_t ORDER BY id;
SELECT bool_and(n > 2), bool_or(n > 4), count(*) FILTER (WHERE n > 3) FROM d19_t;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY n), mode() WITHIN GROUP (ORDER BY n) FROM d19_t;
SELECT interval '1 day', '{1,2}'::int[], '{a}'::text[], ts AT TIME ZONE 'UTC' FROM d19_t ORDER BY id;
SELECT make_timestamp(2024, 1, 2, 3, 4, 5), json_agg(n ORDER BY n) FROM d19_t;
-- extended
SELECT name SIMILAR TO 'a%', name SIMILAR TO '(a|x)__', name NOT SIMILAR TO '%y%', name SIMILAR TO 'a.c' FROM d19_t ORDER BY id;
SELECT 'a%c' SIMILAR TO 'a#%c' ESCAPE '#', 'abc' SIMILAR TO 'a#%c' ESCAPE '#', 'ab' SIMILAR TO '[a-b]+';
-- error: 22P02
SELECT '1.5'::int;
-- error: 22P02
SELECT ''::integer;
-- error: 22P02
SELECT '0x10'::bigint;
SELECT ' 42 '::int, '-7'::smallint, '+9'::int8;
-- error: 22003
SELECT '1e1000'::float8;
-- error: 22003
SELECT '1e-400'::float8;
SELECT '1e-300'::float8, '-Infinity'::float8, 'inf'::float8;
-- error: 22P02
SELECT 'abc'::uuid;
SELECT '{550E8400-E29B-41D4-A716-446655440000}'::uuid, '550e8400e29b41d4a716446655440000'::uuid;
-- error: 22003
SELECT 2147483647 + 1;
-- error: 22003
SELECT 9223372036854775807::int8 * 2;
-- error: 22003
SELECT 3000000000::int;
-- error: 22003
SELECT '99999999999'::int;
-- error: 22008
SELECT '2024-02-30'::date;
-- error: 22007
SELECT 'not a date'::date;
CREATE TABLE d19_u (id int PRIMARY KEY, email text UNIQUE, a int, b int, n int CHECK (n > 0), lo int, hi int, CHECK (hi > lo), UNIQUE (a, b));
CREATE TABLE d19_o (id int PRIMARY KEY, uid int REFERENCES d19_u(id));
INSERT INTO d19_u VALUES (1, 'x@y', 1, 1, 1, 1, 2);
INSERT INTO d19_o VALUES (1, 1);
-- error: 23505
INSERT INTO d19_u (id) VALUES (1);
-- error: 23505
INSERT INTO d19_u (id, email) VALUES (2, 'x@y');
-- error: 23505
INSERT INTO d19_u (id, a, b) VALUES (3, 1, 1);
-- error: 23514
INSERT INTO d19_u (id, n) VALUES (4, 0);
-- error: 23514
INSERT INTO d19_u (id, lo, hi) VALUES (5, 3, 1);
-- error: 23503
INSERT INTO d19_o VALUES (2, 42);
-- error: 23503
DELETE FROM d19_u WHERE id = 1;
-- diff: sqlstate,names,types,typmods,rows,tag reason: DuckDB has no inet/money/macaddr/bit types; refused with 0A000 naming the type
CREATE TABLE d19_net (id int, ip inet);
-- diff: sqlstate,names,types,typmods,rows,tag reason: DuckDB has no inet/money/macaddr/bit types; refused with 0A000 naming the type
SELECT '12.34'::money;
-- diff: sqlstate,names,types,typmods,rows,tag reason: DuckDB has no inet/money/macaddr/bit types; refused with 0A000 naming the type
SELECT '08:00:2b:01:02:03'::macaddr;
-- diff: sqlstate,names,types,typmods,rows,tag reason: DuckDB has no inet/money/macaddr/bit types; refused with 0A000 naming the type
SELECT 1::bit(3);
DROP TABLE d19_o;
DROP TABLE d19_u;
DROP TABLE d19_t;
