-- numeric without precision (gateway/sql/numeric_storage.py): stored exactly up to 10 decimals
-- and 28 integer digits, printed with the value's own digits. Values here are written without
-- trailing zeros (PostgreSQL prints the scale a value was written with: 1.50; the gateway 1.5).
-- extended: reads

CREATE TABLE d18_t (id int PRIMARY KEY, n numeric, d decimal, a numeric[], f numeric(12,2));
INSERT INTO d18_t VALUES (1, 1.23456, 2.5, '{1.5,2.25}', 1.5), (2, 100, -7, NULL, 2);
INSERT INTO d18_t VALUES (3, 12345678901234567890.123456789, 0.0000000001, ARRAY[1, 2.5], 3.25);
INSERT INTO d18_t (id, n) VALUES (4, '-0.05'), (5, '123456789.123456789'), (6, NULL);
INSERT INTO d18_t (id, n, d) VALUES (7, 1.5, 1.5) RETURNING id, n, d;
SELECT * FROM d18_t ORDER BY id;
SELECT id, n, d FROM d18_t WHERE n > 1.2 ORDER BY n;
SELECT id FROM d18_t WHERE n = 1.5 OR n = 100 ORDER BY id;
SELECT n FROM d18_t ORDER BY n DESC NULLS LAST;
SELECT sum(n) AS s, min(n) AS lo, max(n) AS hi, count(n) AS c FROM d18_t;
SELECT sum(d) AS s, min(d) AS lo, max(d) AS hi FROM d18_t;
-- diff: rows,ext-text:rows,ext-binary:rows reason: avg is PostgreSQL's value (its rounding scale) printed at 20 decimals, PostgreSQL prints its own scale (1.8750000000000000)
SELECT avg(n) AS a, avg(f) AS af FROM d18_t WHERE id <> 3;
SELECT id, n + 1 AS p, n - 2 AS m, -n AS neg, abs(n) AS ab FROM d18_t WHERE id <> 3 ORDER BY id;
-- diff: rows,ext-text:rows,ext-binary:rows reason: a product's scale is the sum of its operands' in PostgreSQL (1.8518400); the gateway prints the value's own digits
SELECT id, n * 2 AS d2, n * f AS nf FROM d18_t WHERE id IN (1, 2, 4) ORDER BY id;
SELECT n > d AS gt, n = d AS eq FROM d18_t WHERE id = 7;
SELECT a.id, b.id FROM d18_t a JOIN d18_t b ON a.n = b.d ORDER BY 1, 2;
SELECT round(n, 2) AS r, trunc(n, 1) AS t, n::numeric(20,3) AS c, n::int AS i FROM d18_t WHERE id IN (1, 2, 4) ORDER BY id;
SELECT n::text AS t, n::float8 AS f FROM d18_t WHERE id IN (1, 2, 4, 5) ORDER BY id;
-- diff: rows reason: PostgreSQL keeps the product's scale (1.851840), the gateway stores the value (1.85184)
UPDATE d18_t SET n = n * 1.5 WHERE id = 1 RETURNING n;
UPDATE d18_t SET d = n + d WHERE id = 2 RETURNING n, d;
INSERT INTO d18_t (id, n) SELECT id + 100, n * 2 FROM d18_t WHERE id IN (2, 5) RETURNING id, n;
SELECT id, n FROM d18_t WHERE id > 100 ORDER BY id;
ALTER TABLE d18_t ADD COLUMN later numeric;
UPDATE d18_t SET later = 0.125 WHERE id = 1;
SELECT id, later FROM d18_t WHERE later IS NOT NULL ORDER BY id;
CREATE TABLE d18_c AS SELECT id, n, id::numeric AS cid FROM d18_t WHERE id IN (2, 5);
SELECT * FROM d18_c ORDER BY id;
SELECT count(*) AS c, sum(n) AS s FROM d18_c;

-- the catalog: numeric without a type modifier, as psql's \d and ORMs read it
SELECT attname::text AS a, format_type(atttypid, atttypmod) AS t, atttypmod FROM pg_attribute WHERE attrelid = 'd18_t'::regclass AND attnum > 0 ORDER BY attnum;
SELECT column_name::text AS c, data_type::text AS d, udt_name::text AS u, numeric_precision, numeric_precision_radix, numeric_scale FROM information_schema.columns WHERE table_name = 'd18_t' ORDER BY ordinal_position;
SELECT attname::text AS a, format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'd18_c'::regclass AND attnum > 0 ORDER BY attnum;
SELECT format_type(1700, -1) AS u, format_type(1231, -1) AS ua, format_type(1700, 786438) AS p;

-- literals and casts keep their own scale
SELECT 1.23456::numeric AS a, '1.5'::numeric AS b, 5::numeric AS c, (-2.5)::numeric AS d;
SELECT CAST(7 AS numeric) AS a, CAST(id AS numeric) AS b FROM d18_t WHERE id = 2;

DROP TABLE d18_c;
DROP TABLE d18_t;
