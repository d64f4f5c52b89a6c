-- Differences the second sweep found and left (each listed in tests/known_gaps.txt): array ||
-- element where neither side is a constant array, a column next to a quoted literal in
-- arithmetic, ISO 8601 interval input, to_number with a template.

CREATE TABLE d27_t (n int, a int[]);
INSERT INTO d27_t VALUES (1, ARRAY[1]);
SELECT a || n FROM d27_t;
SELECT n + '2' FROM d27_t;
SELECT 'P1Y2M'::interval;
SELECT to_number('1,234.5', '9G999D9');
WITH RECURSIVE t(n, path) AS (SELECT 1, ARRAY[1] UNION ALL SELECT n + 1, path || (n + 1) FROM t WHERE n < 3) SELECT * FROM t ORDER BY n;
DROP TABLE d27_t;
