-- Scalar functions PostgreSQL applications use every day: strings, math, conditionals,
-- dates; their result types and NULL behaviour.
-- extended: reads

SELECT substr('PostgreSQL', 1, 4) AS a, substring('PostgreSQL' FROM 5) AS b, substring('PostgreSQL' FROM 5 FOR 3) AS c, left('abcdef', 2) AS d, right('abcdef', 2) AS e;
SELECT position('gre' IN 'PostgreSQL') AS a, strpos('hello', 'l') AS b, length('héllo') AS c, octet_length('héllo') AS d, char_length('abc') AS e;
SELECT replace('a-b-c', '-', '+') AS a, split_part('a,b,c', ',', 2) AS b, split_part('a,b,c', ',', 5) AS c, reverse('abc') AS d, repeat('ab', 3) AS e;
SELECT lpad('7', 3, '0') AS a, rpad('ab', 5, '.') AS b, lpad('abcdef', 3) AS c, trim('  x  ') AS d, ltrim('xxabc', 'x') AS e, rtrim('abc  ') AS f, btrim('--a--', '-') AS g;
SELECT initcap('hello wORLD') AS a, upper('abc') AS b, lower('ÀBC') AS c, ascii('A') AS d, chr(66) AS e;
SELECT md5('abc') AS a, translate('hello', 'el', 'ip') AS b, starts_with('foobar', 'foo') AS c, 'abc' LIKE 'a%' AS d, 'ABC' ILIKE 'a%' AS e;
SELECT concat_ws(', ', 'a', NULL, 'c') AS a, concat('x', 1, true) AS b, 'a' || 1 || 'b' AS c, coalesce(NULL, 'fallback') AS d;
SELECT regexp_replace('2024-01-05', '(\d+)-(\d+)-(\d+)', '\3/\2/\1') AS a, string_to_array('a,b,c', ',') AS b, array_to_string(ARRAY['x', 'y'], '-') AS c;
SELECT to_hex(255) AS a, quote_literal('it''s') AS b, quote_ident('My Col') AS c, quote_nullable(NULL) AS d;
SELECT length(NULL::text) AS a, upper(NULL) AS b, substr('abc', 0) AS c, substr('abc', 2, 0) AS d;

SELECT abs(-7) AS a, mod(17, 5) AS b, 17 % 5 AS c, -17 % 5 AS d, div(17, 5) AS e, 17 / 5 AS f, -17 / 5 AS g;
SELECT greatest(3, 9, 4) AS a, least('b', 'a', 'c') AS b, greatest(NULL, 1) AS c, least(2.5, 1) AS d;
SELECT ceil(4.1) AS a, ceiling(-4.1) AS b, floor(4.9) AS c, round(4.5) AS d, round(-4.5) AS e, round(4.567, 1) AS f, trunc(4.567, 2) AS g;
SELECT power(2, 8) AS a, sqrt(2) AS b, exp(1) AS c, ln(10) AS d, log(100) AS e, log(2, 8) AS f, pi() AS g;
SELECT sin(0) AS a, cos(0) AS b, atan2(1, 1) AS c, degrees(pi()) AS d, radians(180) AS e;
SELECT 7 & 3 AS band, 7 | 8 AS bor, 7 # 2 AS bxor, ~7 AS bnot, 1 << 4 AS shl, 256 >> 2 AS shr;
SELECT 2.5 * 4 AS a, 10.0 - 0.01 AS b, 1.5 + 2 AS c, 7 * 1.0 AS d, -(1.5) AS e;
SELECT 5::int2 * 2::int2 AS a, 5::int8 * 2 AS b, 5::float4 * 2 AS c, 5 * 2.0::float8 AS d;
SELECT width_bucket(5.35, 0.024, 10.06, 5) AS a, gcd(12, 18) AS b, lcm(4, 6) AS c, factorial(5) AS d;

SELECT CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END AS a, CASE WHEN NULL THEN 1 ELSE 0 END AS b, nullif(5, 5) AS c, nullif(5, 6) AS d;
SELECT coalesce(NULL::int, NULL, 3) AS a, coalesce(1.5, 2) AS b, NULL IS NULL AS c, 1 IS NOT NULL AS d, NULL = NULL AS e;
SELECT true AND NULL AS a, false AND NULL AS b, true OR NULL AS c, NOT true AS d, NULL IS UNKNOWN AS e, (1 < 2) IS TRUE AS f;
SELECT 1 IS DISTINCT FROM NULL AS a, NULL IS NOT DISTINCT FROM NULL AS b, 2 BETWEEN 1 AND 3 AS c, 2 NOT BETWEEN 3 AND 1 AS d, 2 BETWEEN SYMMETRIC 3 AND 1 AS e;
SELECT 3 IN (1, 2, 3) AS a, 4 NOT IN (1, 2) AS b, NULL IN (1) AS c, 1 IN (NULL, 1) AS d, 2 NOT IN (1, NULL) AS e;

SELECT date_trunc('month', '2024-05-17 13:14:15'::timestamp) AS a, date_trunc('hour', '2024-05-17 13:14:15'::timestamp) AS b, date_trunc('year', '2024-05-17'::timestamp) AS c;
SELECT '2024-01-31'::date + interval '1 month' AS a, '2024-03-01'::date - 1 AS b, '2024-03-01'::date - '2024-02-01'::date AS c, '2024-01-01 10:00'::timestamp - '2024-01-01 08:30'::timestamp AS d;
SELECT make_date(2024, 2, 29) AS a, make_time(13, 45, 30.5) AS b, make_timestamp(2024, 1, 2, 3, 4, 5) AS c, make_interval(days => 10) AS d;
SELECT age('2024-06-15'::date, '2000-01-01'::date) AS a, '2024-05-06 07:08:09'::timestamp::date AS b, '2024-05-06'::date::timestamp AS c;
SELECT extract(isodow FROM '2024-05-05'::date) AS a, extract(week FROM '2024-05-05'::date) AS b, extract(quarter FROM '2024-05-05'::date) AS c, extract(century FROM '2024-05-05'::date) AS d;
SELECT '2024-05-06 07:08:09'::timestamp + interval '2 hours 30 minutes' AS a, '2024-05-06'::date + time '10:00' AS b, interval '90 minutes' AS c, interval '1 year 2 months 3 days' AS d;
SELECT '2024-05-06'::date < '2024-06-01'::date AS a, '2024-05-06'::date = '2024-05-06 00:00'::timestamp AS b, isfinite('2024-01-01'::date) AS c;
SELECT to_char('2024-07-04 09:05:01'::timestamp, 'FMDD FMMonth YYYY, HH24"h"MI') AS a, to_char('2024-07-04'::date, 'IYYY-IW') AS b;
SELECT date_part('dow', '2024-05-05'::date) AS a, date_part('hour', '2024-05-05 17:30'::timestamp) AS b, date_part('epoch', '2024-01-01 00:00:01'::timestamp) AS c;
SELECT '2024-02-29'::date + 365 AS a, date '2024-01-01' AS b, timestamp '2024-01-01 12:00' AS c, time '23:59:59.999' AS d;
SELECT justify_hours(interval '50 hours') AS a, justify_days(interval '40 days') AS b, justify_interval(interval '1 mon -1 hour') AS c, justify_hours(interval '1 day -50 hours') AS d, justify_days(interval '1 mon -40 days') AS e;
SELECT justify_interval(interval '-1 mon 50 hours') AS a, justify_interval(interval '2 days 50 hours') AS b, justify_interval(interval '-40 days -3 hours') AS c, justify_interval(interval '1 year -1 day') AS d;

-- errors raised by functions and casts
-- error: 22012
SELECT mod(5, 0);
-- error: 2201E
SELECT ln(0);
-- error: 2201F
SELECT power(0, -1);
-- error: 22003
SELECT 9223372036854775807::int8 + 1;
-- error: 22008
SELECT make_date(2023, 2, 29);
-- error: 22P02
SELECT 'twelve'::int4;
-- error: 42883
SELECT no_such_fn_d14('x');
-- error: 42725
SELECT NULL + NULL;
