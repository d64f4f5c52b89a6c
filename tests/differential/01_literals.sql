-- Literals and casts of every type the foundation promises, in text and binary.
-- extended: reads

-- booleans
SELECT true AS t, false AS f, NULL::bool AS n;
SELECT 'yes'::bool AS a, 'off'::boolean AS b, 1::bool AS c, 't'::bool AS d;
SELECT true;

-- integers
SELECT 1::int2 AS a, (-32768)::int2 AS b, 32767::smallint AS c;
SELECT 1 AS a, -2147483648 AS b, 2147483647::int4 AS c, 0 AS d;
SELECT 9223372036854775807::int8 AS a, (-9223372036854775807 - 1)::bigint AS b, 2147483648 AS c;
SELECT 42;
SELECT 42::int2, 42::int8;

-- numeric
SELECT 1.5 AS a, 0.1::numeric AS b, 123.456::numeric(12,2) AS c, (-0.005)::numeric(12,2) AS d;
SELECT 1234567890.12::numeric(12,2) AS a, 0::numeric(12,2) AS b, 100::numeric AS c, 1.10 AS d;
SELECT 12345678901234567890123456789.123456789 AS big, 0.000001 AS small, -1.0 AS neg;
SELECT 'NaN'::numeric AS nan;

-- floating point: shortest-exact output, specials, signed zero
SELECT 1e15::float8 AS a, 1e-5::float8 AS b, 1e16::float8 AS c, 123456789.125::float8 AS d;
SELECT 0.1::float8 + 0.2::float8 AS s, 1.0::float8 / 3 AS third, 2::float8 AS two, 1e100::float8 AS huge;
SELECT 1.5::float4 AS a, 0.1::real AS b, 3.4e38::float4 AS c, 1e-5::float4 AS d, 1e15::float4 AS e;
SELECT 'NaN'::float8 AS a, 'Infinity'::float8 AS b, '-Infinity'::float8 AS c, '-0'::float8 AS d;
SELECT 'NaN'::float4 AS a, 'inf'::float4 AS b, '-0'::real AS c, '-infinity'::float4 AS d;
SELECT 1.0::float8;

-- character types
SELECT 'hello'::text AS a, ''::text AS b, 'it''s'::text AS c, 'ünïcødé €'::text AS d;
-- varchar(n)/char(n): typed as PostgreSQL does (gateway/sql/result_types.py)
SELECT 'abc'::varchar AS a, 'abcdef'::varchar(3) AS b, 'ab'::varchar(10) AS c;
-- varchar(n)/char(n): typed as PostgreSQL does (gateway/sql/result_types.py)
SELECT 'ab'::char(5) AS a, 'abc'::bpchar AS b, 'x'::character AS c, 'abc  '::char(2) AS d;
SELECT 'tab	and
newline' AS a, E'back\\slash' AS b, 'quote"d' AS c;
SELECT 'literal' AS lit, NULL AS n;

-- bytea
SELECT '\x00ff10'::bytea AS a, ''::bytea AS b, 'abc'::bytea AS c, '\\'::bytea AS d;

-- date and time
SELECT '2024-02-29'::date AS a, '1999-12-31'::date AS b, '0001-01-01'::date AS c, 'infinity'::date AS d;
SELECT '13:45:00'::time AS a, '23:59:59.999999'::time AS b, '00:00'::time AS c, '12:00:00.5'::time AS d;
SELECT '13:45:00+02'::timetz AS a, '01:02:03.5-08:30'::timetz AS b, '00:00:00+00'::timetz AS c;
SELECT '2024-01-02 03:04:05'::timestamp AS a, '2024-01-02 03:04:05.123456'::timestamp AS b, '1970-01-01'::timestamp AS c;
SELECT '2024-01-02 03:04:05+02'::timestamptz AS a, '2024-07-01 12:00:00 UTC'::timestamptz AS b, '2000-01-01 00:00:00.25-05'::timestamptz AS c;
SELECT '1999-01-08 04:05:06'::timestamp, 'epoch'::timestamptz, '-infinity'::timestamp;

-- intervals
SELECT '1 day 02:03:04'::interval AS a, '3 months'::interval AS b, '-1 hour'::interval AS c;
SELECT '1 year 2 mons 3 days 04:05:06.5'::interval AS a, '0'::interval AS b, '25 hours'::interval AS c, '-1 day +2 hours'::interval AS d;
SELECT interval '90 minutes' AS a, interval '1.5 days' AS b, '00:00:00.000001'::interval AS c, '14 months'::interval AS d;

-- uuid
SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS a, 'A0EEBC999C0B4EF8BB6D6BB9BD380A11'::uuid AS b;

-- json and jsonb
SELECT '{"a": 1, "b": [1, 2.50, null]}'::json AS j;
SELECT '{"b": 1, "a": [1, 2.50, null], "a": 3}'::jsonb AS j, '[]'::jsonb AS e, '"str"'::jsonb AS s, 'null'::jsonb AS n;
SELECT '{ "x" :  [true,false] }'::jsonb AS a, '1.50'::jsonb AS b, '{"k": {"n": "é"}}'::jsonb AS c;

-- NULLs of every type
SELECT NULL::int2 AS a, NULL::int4 AS b, NULL::int8 AS c, NULL::float4 AS d, NULL::float8 AS e, NULL::numeric(12,2) AS f;
SELECT NULL::text AS a, NULL::bytea AS d, NULL::uuid AS e, NULL::json AS f, NULL::jsonb AS g;
-- varchar(n)/char(n): typed as PostgreSQL does (gateway/sql/result_types.py)
SELECT NULL::varchar AS b, NULL::bpchar AS c, NULL::varchar(5) AS v5, NULL::char(2) AS c2;
SELECT NULL::date AS a, NULL::time AS b, NULL::timetz AS c, NULL::timestamp AS d, NULL::timestamptz AS e, NULL::interval AS f, NULL::int[] AS g;

-- casts between types
SELECT 42::text AS a, 3.14::text AS b, true::text AS c, '2024-01-02'::date::text AS d;
SELECT '42'::int4 + 1 AS a, ' 7 '::int8 AS b, '1e3'::float8 AS c, '12.345'::numeric(5,1) AS d;
SELECT CAST(12.5 AS int4) AS a, CAST(-12.5 AS int4) AS b, 2.5::int8 AS c, 3.5::int2 AS d;
SELECT 2.5::float8::int4 AS a, 3.5::float8::int4 AS b, (-2.5)::float8::int8 AS c;
SELECT '2024-01-02 03:04:05'::timestamp::date AS a, '2024-01-02'::date::timestamp AS b, '2024-01-02 23:30:00+00'::timestamptz::date AS c;
SELECT '2024-01-02 03:04:05'::timestamp::time AS a, '2024-01-02 03:04:05'::timestamp::timestamptz AS b, '12:00'::time::interval AS c;
SELECT 1::int4::int8::numeric::float8::text AS chain, 7::int8::int2 AS narrow, 1.99::numeric::int4 AS r;
SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid::text AS a, '{"a":1}'::json::jsonb AS b, '{"a": 1}'::jsonb::text AS c;
-- varchar(n)/char(n): typed as PostgreSQL does (gateway/sql/result_types.py)
SELECT 'abc'::text::bytea AS a, 'x'::char(3)::text AS b, 'y'::varchar(5)::char(3) AS c;
