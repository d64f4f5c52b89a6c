-- DDL and DML with their CommandComplete tags; INSERT/UPDATE/DELETE ... RETURNING;
-- a table with a column of every scalar type, read back in text and binary.

CREATE TABLE d06_items (id int PRIMARY KEY, name text NOT NULL, qty int DEFAULT 0, price numeric(12,2), note varchar(20));
INSERT INTO d06_items VALUES (1, 'apple', 10, 1.25, 'red');
INSERT INTO d06_items (id, name) VALUES (2, 'banana');
INSERT INTO d06_items VALUES (3, 'cherry', 100, 0.10, NULL), (4, 'date', 5, 12.5, 'dried'), (5, 'elder', 0, NULL, '');
-- varchar(n)/char(n): typed as PostgreSQL does (gateway/sql/result_types.py)
SELECT * FROM d06_items ORDER BY id;
UPDATE d06_items SET qty = qty + 1 WHERE qty >= 5;
UPDATE d06_items SET note = 'none' WHERE id = 999;
SELECT id, qty FROM d06_items ORDER BY id;
DELETE FROM d06_items WHERE id = 5;
DELETE FROM d06_items WHERE id > 100;
INSERT INTO d06_items VALUES (6, 'fig', 3, 2.00, 'x') RETURNING id, name, price;
-- varchar(n)/char(n): typed as PostgreSQL does (gateway/sql/result_types.py)
INSERT INTO d06_items VALUES (7, 'grape', 1, 3.333, 'y'), (8, 'kiwi', 2, 0.5, 'z') RETURNING *;
INSERT INTO d06_items (id, name) VALUES (9, 'lime') RETURNING qty, price IS NULL AS no_price;
UPDATE d06_items SET price = price * 2 WHERE id IN (6, 7) RETURNING id, price;
DELETE FROM d06_items WHERE id = 8 RETURNING name;
UPDATE d06_items SET qty = 0 WHERE false RETURNING id;
INSERT INTO d06_items VALUES (10, 'mango', 1, 1, 'm') ON CONFLICT (id) DO NOTHING;
INSERT INTO d06_items VALUES (10, 'mango2', 1, 1, 'm') ON CONFLICT (id) DO NOTHING;
INSERT INTO d06_items VALUES (10, 'mango3', 2, 2, 'm') ON CONFLICT (id) DO UPDATE SET name = excluded.name, qty = d06_items.qty + excluded.qty;
SELECT id, name, qty FROM d06_items WHERE id = 10;
CREATE TABLE d06_copy AS SELECT id, name FROM d06_items WHERE id < 5;
INSERT INTO d06_copy SELECT id + 100, upper(name) FROM d06_items WHERE id < 4;
SELECT * FROM d06_copy ORDER BY id;
ALTER TABLE d06_copy ADD COLUMN extra int DEFAULT 7;
SELECT id, extra FROM d06_copy WHERE id = 1;
CREATE VIEW d06_view AS SELECT name, qty FROM d06_items WHERE qty > 2;
SELECT * FROM d06_view ORDER BY name;
CREATE INDEX d06_items_name ON d06_items (name);
TRUNCATE d06_copy;
SELECT count(*) FROM d06_copy;
DROP VIEW d06_view;
DROP TABLE IF EXISTS d06_nothing_here;

-- a column of every scalar type
CREATE TABLE d06_types (id int PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric(12,2), t text, vc varchar(10), c char(4), by bytea, d date, tm time, ttz timetz, ts timestamp, tstz timestamptz, iv interval, u uuid, j json, jb jsonb);
INSERT INTO d06_types VALUES (1, true, -32768, 2147483647, -9223372036854775808, 1.5, 1e15, 1234567890.12, 'text', 'varchar', 'ch', '\xdeadbeef', '2024-02-29', '13:45:01.25', '13:45:01+05:30', '2024-02-29 13:45:01.000001', '2024-02-29 13:45:01+05:30', '1 year 2 mons 3 days 04:05:06', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}', '{"b": 1, "a": 2}');
INSERT INTO d06_types VALUES (2, false, 0, 0, 0, 'NaN', '-Infinity', -0.01, '', '', '', '', '1970-01-01', '00:00', '00:00+00', '1970-01-01 00:00', '1970-01-01 00:00+00', '-1 day', '00000000-0000-0000-0000-000000000000', 'null', '[]');
INSERT INTO d06_types VALUES (3, NULL, NULL, NULL, NULL, '-0', 1e-5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
-- extended
SELECT * FROM d06_types ORDER BY id;
-- extended
SELECT id, b, i2, i4, i8, f4, f8, n FROM d06_types WHERE id = 1;
-- extended
SELECT id, t, vc, c, by, u, j, jb FROM d06_types WHERE id = 2;
-- extended
SELECT id, d, tm, ttz, ts, tstz, iv FROM d06_types ORDER BY id;
UPDATE d06_types SET t = t || '!', n = n + 1 WHERE id < 3;
DELETE FROM d06_types;

DROP TABLE d06_types;
DROP TABLE d06_copy;
DROP TABLE d06_items;
