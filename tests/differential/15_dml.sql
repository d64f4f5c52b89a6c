-- DML as applications write it: multi-row upserts, UPDATE … FROM, DELETE … USING,
-- INSERT … SELECT, RETURNING expressions, quoted literals typed by their target columns
-- (arrays, booleans, bytea, timestamps with offsets), and the errors DML raises.

CREATE TABLE d15_stock (sku text PRIMARY KEY, qty int NOT NULL DEFAULT 0, price numeric(8,2), tags text[], active boolean DEFAULT true, seen timestamptz, blob bytea);
CREATE TABLE d15_moves (id int PRIMARY KEY, sku text, delta int);
INSERT INTO d15_stock (sku, qty, price, tags, active, seen, blob) VALUES ('a1', 5, 9.99, '{red,small}', 'yes', '2024-01-01 10:00+02', '\x0102'), ('b2', 0, 100, '{}', 'off', '2024-02-01 00:00:00+00', '\xff');
INSERT INTO d15_stock (sku, tags) VALUES ('c3', '{"with space","q,uote"}') RETURNING sku, qty, price, tags, active;
SELECT sku, qty, price, tags, active, seen, blob FROM d15_stock ORDER BY sku;
SELECT sku FROM d15_stock WHERE 'red' = ANY(tags) ORDER BY sku;
SELECT sku, cardinality(tags) AS n, tags[1] AS first FROM d15_stock ORDER BY sku;
INSERT INTO d15_moves VALUES (1, 'a1', 3), (2, 'a1', -1), (3, 'b2', 10), (4, 'zz', 1);
UPDATE d15_stock s SET qty = s.qty + m.delta FROM d15_moves m WHERE m.sku = s.sku AND m.id = 3 RETURNING s.sku, s.qty;
UPDATE d15_stock SET qty = qty + (SELECT sum(delta) FROM d15_moves WHERE d15_moves.sku = d15_stock.sku) WHERE sku = 'a1';
SELECT sku, qty FROM d15_stock ORDER BY sku;
DELETE FROM d15_moves m USING d15_stock s WHERE m.sku = s.sku AND s.active = false RETURNING m.id;
DELETE FROM d15_moves WHERE sku NOT IN (SELECT sku FROM d15_stock);
SELECT id, sku, delta FROM d15_moves ORDER BY id;
INSERT INTO d15_moves (id, sku, delta) SELECT 100 + row_number() OVER (ORDER BY sku), sku, qty FROM d15_stock WHERE qty > 0;
SELECT id, sku, delta FROM d15_moves WHERE id > 100 ORDER BY id;
INSERT INTO d15_stock (sku, qty) VALUES ('a1', 1), ('d4', 4) ON CONFLICT (sku) DO UPDATE SET qty = d15_stock.qty + EXCLUDED.qty RETURNING sku, qty;
INSERT INTO d15_stock (sku, qty) VALUES ('d4', 40), ('e5', 5) ON CONFLICT DO NOTHING RETURNING sku;
INSERT INTO d15_stock (sku, price) VALUES ('a1', 1.5) ON CONFLICT (sku) DO UPDATE SET price = EXCLUDED.price WHERE d15_stock.price > 50;
INSERT INTO d15_stock (sku, price) VALUES ('b2', 1.5) ON CONFLICT (sku) DO UPDATE SET price = EXCLUDED.price WHERE d15_stock.price > 50 RETURNING sku, price;
SELECT sku, qty, price FROM d15_stock ORDER BY sku;
UPDATE d15_stock SET price = price * 1.1, active = NOT active WHERE sku IN ('a1', 'b2') RETURNING sku, price, active;
UPDATE d15_stock SET tags = array_append(tags, 'new') WHERE sku = 'a1' RETURNING tags;
UPDATE d15_stock SET seen = '2024-06-01 12:00:00+00' WHERE seen IS NULL;
UPDATE d15_stock SET tags = '{x,"y z"}', blob = '\xabcd' WHERE sku = 'b2' RETURNING tags, blob;
SELECT count(*) AS n, count(seen) AS seen FROM d15_stock;
DELETE FROM d15_stock WHERE qty = 0 RETURNING sku, qty * 2 AS dbl;
WITH gone AS (SELECT sku FROM d15_stock WHERE qty > 100) SELECT count(*) FROM gone;

-- errors
-- error: 23505
INSERT INTO d15_stock (sku) VALUES ('x9'), ('x9');
-- error: 23502
UPDATE d15_stock SET qty = NULL WHERE sku = 'a1';
-- error: 42703
INSERT INTO d15_stock (sku, nope) VALUES ('z', 1);
-- error: 42601
INSERT INTO d15_stock (sku, qty) VALUES ('z');
-- error: 22P02
INSERT INTO d15_stock (sku, qty) VALUES ('z', 'many');
-- error: 22P02
INSERT INTO d15_stock (sku, tags) VALUES ('z', '{unclosed');
-- error: 22003
UPDATE d15_stock SET price = 1000000 WHERE sku = 'a1';
-- error: 42P01
UPDATE d15_nothing SET x = 1;
-- error: 42P01
DELETE FROM d15_nothing;

DROP TABLE d15_moves;
DROP TABLE d15_stock;
