-- DML forms applications send: DEFAULT VALUES, INSERT … SELECT … LIMIT with RETURNING, ON CONFLICT
-- DO UPDATE SET c = DEFAULT / with EXCLUDED and a WHERE / on a composite key, UPDATE … FROM VALUES,
-- row-valued SET, a timestamptz DEFAULT written without seconds ('2024-01-01 00:00+00').

CREATE TABLE d26_t (id int PRIMARY KEY, a int, b text DEFAULT 'dflt', c numeric(8,2), u int UNIQUE);
CREATE TABLE d26_k (x int, y int, v text, PRIMARY KEY (x, y));
CREATE TABLE d26_s (id serial PRIMARY KEY, at timestamptz DEFAULT '2024-01-01 00:00+00', n int);
INSERT INTO d26_s DEFAULT VALUES RETURNING id, n;
INSERT INTO d26_s (n) SELECT g FROM generate_series(1, 3) g ORDER BY g DESC LIMIT 2 RETURNING id, n;
INSERT INTO d26_t VALUES (1, 10, DEFAULT, 1.5, 100), (2, 20, 'x', NULL, 200) RETURNING id, b, c * 2 AS c2, a + id AS s;
INSERT INTO d26_t (id, a, u) VALUES (1, 99, 101) ON CONFLICT (id) DO UPDATE SET a = EXCLUDED.a + d26_t.a, b = DEFAULT RETURNING *;
INSERT INTO d26_t (id, a, u) VALUES (3, 1, 200) ON CONFLICT (u) DO UPDATE SET a = -1 RETURNING id, a;
INSERT INTO d26_t (id, a, u) VALUES (1, 5, 500), (4, 6, 600) ON CONFLICT (id) DO NOTHING RETURNING id;
INSERT INTO d26_k VALUES (1, 1, 'a') ON CONFLICT (x, y) DO UPDATE SET v = d26_k.v || EXCLUDED.v;
INSERT INTO d26_k VALUES (1, 1, 'b') ON CONFLICT (x, y) DO UPDATE SET v = d26_k.v || EXCLUDED.v RETURNING v;
INSERT INTO d26_k AS k VALUES (1, 1, 'c') ON CONFLICT (x, y) DO UPDATE SET v = k.v || '+' WHERE k.v LIKE 'a%' RETURNING k.v;
UPDATE d26_t SET a = CASE WHEN id = 1 THEN 0 ELSE a * 2 END, c = coalesce(c, 0) + 1 WHERE id IN (SELECT id FROM d26_t WHERE a > 5) RETURNING id, a, c;
UPDATE d26_t t SET b = s.v FROM (VALUES (1, 'one'), (2, 'two')) AS s(id, v) WHERE s.id = t.id RETURNING t.id, t.b;
UPDATE d26_t SET (a, b) = (7, 'tuple') WHERE id = 4 RETURNING a, b;
UPDATE d26_t SET a = (SELECT max(n) FROM d26_s) WHERE id = 2 RETURNING a;
DELETE FROM d26_t WHERE id = 4 RETURNING id, upper(b) AS ub, c IS NULL AS cn;
DELETE FROM d26_t t USING d26_k k WHERE t.id = k.x RETURNING t.id;
SELECT * FROM d26_t ORDER BY id;
SELECT * FROM d26_k ORDER BY x;
UPDATE d26_t SET id = id + 100;
SELECT id FROM d26_t ORDER BY id;
-- diff: sqlstate,names,types,typmods,rows,tag reason: DuckDB takes no subquery in RETURNING; refused with 0A000
INSERT INTO d26_t (id, a) VALUES (500, 1), (501, NULL) RETURNING (SELECT count(*) FROM d26_k) AS k, id;
DROP TABLE d26_t;
DROP TABLE d26_k;
DROP TABLE d26_s;
