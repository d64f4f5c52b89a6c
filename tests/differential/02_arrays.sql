-- One-dimensional arrays of the supported element types: literals, NULL elements, quoting,
-- functions, and array columns in a table.
-- extended: reads

SELECT ARRAY[1,2,3] AS a, '{}'::int[] AS e, ARRAY[1,NULL,3]::int8[] AS n;
SELECT ARRAY[1::int2, 2::int2] AS a, ARRAY[]::int4[] AS b, NULL::int8[] AS c;
SELECT ARRAY['a','b c','d"e', NULL, '', 'NULL', 'x,y', 'back\slash']::text[] AS t;
SELECT ARRAY[true,false,NULL]::bool[] AS b, ARRAY[1.5,2.25]::float8[] AS f8, ARRAY[1.5]::float4[] AS f4;
SELECT ARRAY[1.5, 2]::numeric(12,2)[] AS n, ARRAY['NaN','Infinity','-0']::float8[] AS specials;
SELECT ARRAY['2024-01-02'::date, NULL] AS d, ARRAY['2024-01-02 03:04:05'::timestamp] AS ts, ARRAY['2024-01-02 03:04:05+00'::timestamptz] AS tstz;
SELECT ARRAY['1 day'::interval, '-02:00'::interval] AS i, ARRAY['13:45'::time] AS t, ARRAY['13:45+02'::timetz] AS ttz;
SELECT ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid] AS u, ARRAY['\x01ff'::bytea, ''::bytea] AS b;
SELECT ARRAY['{"a": 1}'::jsonb, '[1, 2]'::jsonb] AS jb, ARRAY['{"a":1}'::json] AS j;
-- varchar(n)/char(n): typed as PostgreSQL does (gateway/sql/result_types.py)
SELECT ARRAY['ab'::varchar, 'c'] AS v, ARRAY['x'::char(3)] AS c;
SELECT '{1,2,3}'::int[] AS a, '{"x y",z,NULL}'::text[] AS b, '{t,f}'::bool[] AS c;
SELECT ARRAY[1,2,3];

-- functions and operators
SELECT array_length(ARRAY[1,2,3], 1) AS len, cardinality(ARRAY[1,2]) AS card, (ARRAY[10,20,30])[2] AS second, (ARRAY[10,20,30])[5] AS oob;
SELECT ARRAY[1,2] || 3 AS a, array_append(ARRAY[1], 2) AS b, array_prepend(0, ARRAY[1]) AS c, ARRAY[1] || ARRAY[2,3] AS d;
SELECT 3 = ANY(ARRAY[1,2,3]) AS any_t, 5 = ANY(ARRAY[1,2,3]) AS any_f, 1 < ALL(ARRAY[2,3]) AS all_t, ARRAY[1,2] = ARRAY[1,2] AS eq;
SELECT array_position(ARRAY['a','b','c'], 'b') AS pos, array_remove(ARRAY[1,2,1,3], 1) AS rm, ARRAY[1,2,3] @> ARRAY[2] AS contains;
SELECT array_to_string(ARRAY[1,2,NULL,4], ',', '*') AS s, string_to_array('a,b,c', ',') AS arr, array_to_string(ARRAY['x','y'], '-') AS t;
SELECT unnest(ARRAY[3,1,2]) AS x ORDER BY x;
SELECT array_agg(x ORDER BY x) AS agg, array_agg(x ORDER BY x DESC) AS agg_desc FROM (VALUES (3),(1),(2)) v(x);
SELECT array_agg(s ORDER BY s) AS agg FROM (VALUES ('b'), (NULL), ('a')) v(s);
SELECT (ARRAY['x','y','z'])[1:2] AS slice, array_upper(ARRAY[1,2,3], 1) AS up, array_lower(ARRAY[1,2,3], 1) AS low;

-- array columns
CREATE TABLE d02_arr (id int PRIMARY KEY, ints int[], texts text[], floats float8[], days date[]);
INSERT INTO d02_arr VALUES (1, '{1,2,3}', '{a,b}', '{1.5,NaN}', '{2024-01-01}'), (2, ARRAY[]::int[], ARRAY[NULL]::text[], NULL, ARRAY['2024-02-29'::date, NULL]), (3, NULL, '{"with space","q\"uote"}', '{-0,1e-5}', '{}');
SELECT id, ints, texts, floats, days FROM d02_arr ORDER BY id;
SELECT id, cardinality(ints) AS n, ints[1] AS first FROM d02_arr ORDER BY id;
SELECT id, t FROM d02_arr, unnest(texts) AS t ORDER BY id, t;
UPDATE d02_arr SET ints = array_append(ints, 4) WHERE id = 1;
SELECT ints FROM d02_arr WHERE id = 1;
DROP TABLE d02_arr;
