-- Arithmetic (integer, numeric, float semantics and result types) and string functions.
-- extended: reads

SELECT 1 + 2 AS a, 7 / 2 AS b, -7 / 2 AS c, 7 % 3 AS d, -7 % 3 AS e, 2 * 3 - 1 AS f;
SELECT 1 + 2;
SELECT 7.0 / 2 AS a, 1 / 3.0 AS b, 10::numeric / 4 AS c, 2 ^ 10 AS d, 1.5 * 2 AS e;
SELECT 0.1 + 0.2 AS numeric_sum, 0.1::float8 + 0.2::float8 AS float_sum, 1 / 3::float8 AS f, 1::float4 / 3 AS f4;
SELECT 1::int2 + 1::int2 AS i2, 1::int2 + 1 AS i2i4, 1 + 1::int8 AS i4i8, 1 + 1.5 AS i4num, 1 + 1.5::float8 AS i4f8, 1::float4 + 1::float8 AS f4f8;
SELECT abs(-5) AS a, abs(-5.5) AS b, sqrt(16) AS c, sqrt(2::numeric) AS d, cbrt(27) AS e, exp(0) AS f, ln(1) AS g;
SELECT round(2.5) AS a, round(-2.5) AS b, round(2.5::float8) AS c, round(3.14159, 2) AS d, round(1234.5, -2) AS e;
SELECT ceil(1.2) AS a, floor(-1.2) AS b, trunc(1.99) AS c, trunc(-1.99) AS d, ceil(1.2::float8) AS e, sign(-3) AS f;
SELECT power(2, 10) AS a, power(2.0, 0.5) AS b, mod(10, 3) AS c, mod(-10, 3) AS d, div(7, 2) AS e, 10 % 3.5 AS f;
SELECT greatest(1, 5, 3) AS g, least(1.5, 0.5) AS l, greatest('a', 'b') AS gs, least(NULL, 2) AS ln;
SELECT 5 & 3 AS band, 5 | 3 AS bor, 5 # 3 AS bxor, ~5 AS bnot, 1 << 4 AS shl, 256 >> 2 AS shr;
SELECT -(-3) AS a, @ -4 AS b, 1e3 AS c, 1.5e-3 AS d, 2147483647::int8 + 1 AS e;
SELECT 1 / 3 * 3.0 AS a, 100000 * 100000::int8 AS b, 12345.6789::numeric(12,2) * 2 AS c, 1.0 * 'Infinity'::float8 AS d;
SELECT 'NaN'::float8 = 'NaN'::float8 AS nan_eq, 'NaN'::float8 > 1e300 AS nan_gt, 0.0::float8 = -0.0::float8 AS zero_eq, 'Infinity'::float8 - 'Infinity'::float8 AS inf_minus;
SELECT 1 = 1 AS eq, 1 <> 2 AS ne, 1 < NULL AS lt_null, NULL IS NULL AS isnull, 1 IS DISTINCT FROM NULL AS distinct_null, NOT true AS nt;
SELECT true AND NULL AS and_null, false AND NULL AS and_false, true OR NULL AS or_true, NULL::bool OR false AS or_null;
SELECT CASE WHEN 1 > 2 THEN 'a' WHEN 2 > 1 THEN 'b' ELSE 'c' END AS c1, CASE 3 WHEN 1 THEN 'one' ELSE 'other' END AS c2, CASE WHEN false THEN 1 END AS c3;
SELECT coalesce(NULL, NULL, 3) AS c, nullif(1, 1) AS n1, nullif(1, 2) AS n2, coalesce(NULL::text, 'x') AS ct;

-- strings
SELECT length('héllo') AS len, octet_length('héllo') AS octets, char_length('abc') AS cl, upper('abc é') AS up, lower('ÀBC') AS low;
SELECT 'abc' || 'def' AS cat, 'n=' || 1 AS cat_int, 'x' || NULL AS cat_null, concat('a', NULL, 'b', 1) AS concat, concat_ws('-', 'a', NULL, 'b') AS ws;
SELECT substring('hello world' FROM 7) AS a, substring('hello' FROM 2 FOR 3) AS b, substr('hello', 2, 2) AS c, left('hello', 2) AS d, right('hello', 3) AS e;
SELECT position('lo' IN 'hello') AS p, strpos('hello', 'l') AS s, replace('a-b-c', '-', '+') AS r, reverse('abc') AS rev, repeat('ab', 3) AS rep;
SELECT trim('  x  ') AS t, ltrim('  x  ') AS l, rtrim('  x  ') AS r, trim(both 'x' FROM 'xxaxx') AS b, btrim('xyax', 'xy') AS bt;
SELECT lpad('7', 3, '0') AS lp, rpad('ab', 5, '*') AS rp, lpad('abcdef', 3) AS cut, initcap('hello wORLD') AS ic, split_part('a,b,c', ',', 2) AS sp;
SELECT 'abc' LIKE 'a%' AS l1, 'abc' LIKE '_b_' AS l2, 'ABC' ILIKE 'a%' AS il, 'abc' NOT LIKE '%z%' AS nl, 'a%c' LIKE 'a\%c' AS esc;
SELECT 'abc123' ~ '[0-9]+' AS re, 'ABC' ~* 'abc' AS rei, regexp_replace('a1b22c', '[0-9]+', '#', 'g') AS rr, regexp_replace('aaa', 'a', 'b') AS first_only;
SELECT md5('abc') AS md5, chr(65) AS chr, ascii('A') AS ascii, to_hex(255) AS hex, starts_with('hello', 'he') AS sw;
SELECT format('%s-%s', 'a', 1) AS f, format('%L', 'it''s') AS lit, format('%I', 'Col') AS ident, quote_ident('a b') AS qi;
SELECT 'abc' < 'abd' AS lt, 'B' < 'a' AS case_order, 'a' = 'a ' AS trailing, 'a'::char(3) = 'a  '::char(3) AS bpchar_eq;
SELECT string_agg(s, ',' ORDER BY s) AS agg FROM (VALUES ('b'), ('a'), (NULL), ('c')) v(s);
SELECT upper(NULL) AS u, length(NULL::text) AS l, 'x'::varchar(10) || 'y' AS vc, translate('abc', 'ab', 'xy') AS tr;
SELECT encode('abc'::bytea, 'hex') AS hex, encode('abc'::bytea, 'base64') AS b64, decode('616263', 'hex') AS dec, length('\x0102'::bytea) AS blen;
