-- Query forms reports and apps use: LIKE/ILIKE ANY/ALL over arrays, regexp_matches(…, 'g'),
-- sha256 (and sha512 refused rather than computed as sha256), to_char(number, template).

CREATE TABLE d23_l (g text);
INSERT INTO d23_l VALUES ('abc'), ('zz'), ('Qq'), (NULL);
SELECT g FROM d23_l WHERE g ILIKE ANY (ARRAY['A%', 'z%']) ORDER BY g;
SELECT g, g LIKE ALL (ARRAY['%b%', 'a%']), g NOT LIKE ANY (ARRAY['a%', 'z%']) FROM d23_l ORDER BY g;
SELECT g FROM d23_l WHERE g LIKE ANY ('{%q,%c}') ORDER BY g;
-- extended
SELECT regexp_matches('a1b22c333', '[0-9]+', 'g');
SELECT regexp_matches('A1a2', 'a[0-9]', 'gi');
-- extended
SELECT sha256('abc'::bytea), md5('abc');
-- diff: sqlstate,names,types,typmods,rows,tag reason: DuckDB has only sha256; sha512 is refused with 0A000 (sqlglot wrote SHA256 for it)
SELECT sha512('abc'::bytea);
-- extended
SELECT to_char(1234.5, '9999.99'), to_char(1234.5, 'FM9999.99'), to_char(-12.456, '999.99'), to_char(1234567.891, 'FM9,999,999.00');
SELECT to_char(x, 'FM999') FROM (VALUES (10), (200), (NULL)) v(x) ORDER BY x;
SELECT to_char(12345, '999'), to_char(0.5, '0.99'), to_char(0, 'FM99.99'), to_char(-0.5, '9.99'), to_char(42, '0000');
SELECT to_char(sum(x), 'FM999G999D00') FROM (VALUES (1000.5::numeric(10,2)), (2000.25)) v(x);
-- diff: sqlstate,names,types,typmods,rows,tag reason: to_char templates with S, MI, PL, EEEE, RN, V are refused with 0A000
SELECT to_char(1234, 'S9999');
DROP TABLE d23_l;
