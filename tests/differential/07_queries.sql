-- Queries: aggregates, GROUP BY/HAVING, ORDER BY (incl. NULL ordering), LIMIT/OFFSET,
-- DISTINCT, joins, set operations, CTEs (incl. recursive), window functions, subqueries.

CREATE TABLE d07_emp (id int PRIMARY KEY, name text NOT NULL, dept text, salary int, bonus numeric(12,2), hired date);
CREATE TABLE d07_dept (code text PRIMARY KEY, title text, floor int);
INSERT INTO d07_emp VALUES (1, 'ann', 'eng', 100, 10.50, '2020-01-15'), (2, 'bob', 'eng', 90, NULL, '2021-03-01'), (3, 'cid', 'ops', 70, 5.00, '2019-07-30'), (4, 'dee', 'ops', 70, 5.25, '2022-11-11'), (5, 'eve', NULL, 50, NULL, NULL), (6, 'fay', 'sales', 80, 0.00, '2023-05-05');
INSERT INTO d07_dept VALUES ('eng', 'Engineering', 3), ('ops', 'Operations', 1), ('hr', 'People', 2);

-- aggregates and their result types
SELECT count(*) AS n, count(dept) AS with_dept, count(DISTINCT dept) AS depts, sum(salary) AS total, avg(salary) AS mean FROM d07_emp;
SELECT min(salary) AS lo, max(salary) AS hi, min(name) AS first, max(hired) AS latest, sum(bonus) AS bonus_total, avg(bonus) AS bonus_mean FROM d07_emp;
SELECT sum(salary::int8) AS s8, sum(salary::int2) AS s2, sum(salary::float8) AS sf, avg(salary::float8) AS af, sum(bonus) / count(*) AS per_head FROM d07_emp;
SELECT count(*) FROM d07_emp;
SELECT bool_and(salary > 40) AS all_paid, bool_or(bonus IS NULL) AS some_null, every(salary > 60) AS every FROM d07_emp;
SELECT stddev_samp(salary) AS sd, var_pop(salary) AS vp FROM d07_emp;
SELECT count(*) AS n, sum(salary) AS s, avg(salary) AS a, max(name) AS m FROM d07_emp WHERE false;
SELECT count(*) FILTER (WHERE salary >= 80) AS rich, sum(salary) FILTER (WHERE dept = 'ops') AS ops FROM d07_emp;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY salary) AS median, mode() WITHIN GROUP (ORDER BY salary) AS mode FROM d07_emp;

-- GROUP BY / HAVING / ORDER BY / LIMIT / OFFSET / DISTINCT
SELECT dept, count(*) AS n, sum(salary) AS total FROM d07_emp GROUP BY dept ORDER BY dept;
SELECT dept, count(*) AS n FROM d07_emp GROUP BY dept HAVING count(*) > 1 ORDER BY n DESC, dept;
SELECT dept, avg(salary) AS mean FROM d07_emp GROUP BY 1 ORDER BY 2 DESC, 1;
SELECT dept FROM d07_emp GROUP BY dept;
SELECT name, bonus FROM d07_emp ORDER BY bonus, name;
SELECT name, bonus FROM d07_emp ORDER BY bonus DESC, name;
SELECT name, bonus FROM d07_emp ORDER BY bonus NULLS FIRST, name;
SELECT name, dept FROM d07_emp ORDER BY dept DESC NULLS LAST, name;
SELECT id, name FROM d07_emp ORDER BY id LIMIT 2;
SELECT id, name FROM d07_emp ORDER BY id LIMIT 2 OFFSET 3;
SELECT id FROM d07_emp ORDER BY id OFFSET 5;
SELECT id FROM d07_emp ORDER BY id LIMIT 0;
SELECT id FROM d07_emp ORDER BY id FETCH FIRST 1 ROWS ONLY;
SELECT DISTINCT dept FROM d07_emp ORDER BY dept;
SELECT DISTINCT ON (dept) dept, name, salary FROM d07_emp ORDER BY dept, salary DESC, name;
SELECT dept, salary, count(*) AS n FROM d07_emp GROUP BY ROLLUP (dept, salary) ORDER BY dept, salary, n;

-- joins
SELECT e.name, d.title FROM d07_emp e JOIN d07_dept d ON e.dept = d.code ORDER BY e.name;
SELECT e.name, d.title FROM d07_emp e LEFT JOIN d07_dept d ON e.dept = d.code ORDER BY e.name;
SELECT e.name, d.title FROM d07_emp e RIGHT JOIN d07_dept d ON e.dept = d.code ORDER BY d.title, e.name;
SELECT e.name, d.code FROM d07_emp e FULL JOIN d07_dept d ON e.dept = d.code;
SELECT count(*) AS pairs FROM d07_emp CROSS JOIN d07_dept;
SELECT a.name AS a, b.name AS b FROM d07_emp a JOIN d07_emp b ON a.dept = b.dept AND a.id < b.id ORDER BY a.name, b.name;
SELECT code, title FROM d07_dept d WHERE NOT EXISTS (SELECT 1 FROM d07_emp e WHERE e.dept = d.code);
SELECT d.code, count(e.id) AS n FROM d07_dept d LEFT JOIN d07_emp e ON e.dept = d.code GROUP BY d.code ORDER BY d.code;
SELECT name, title FROM d07_emp JOIN d07_dept ON dept = code WHERE floor > 1;

-- set operations
SELECT dept FROM d07_emp UNION SELECT code FROM d07_dept;
SELECT dept FROM d07_emp UNION ALL SELECT code FROM d07_dept;
SELECT code FROM d07_dept INTERSECT SELECT dept FROM d07_emp;
SELECT code FROM d07_dept EXCEPT SELECT dept FROM d07_emp;
SELECT 1 AS x UNION ALL SELECT 2 ORDER BY x DESC;

-- CTEs
WITH big AS (SELECT * FROM d07_emp WHERE salary >= 80) SELECT name FROM big ORDER BY name;
WITH per AS (SELECT dept, sum(salary) AS total FROM d07_emp GROUP BY dept), mx AS (SELECT max(total) AS m FROM per) SELECT dept, total FROM per, mx WHERE total = m;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT i, i * i AS sq FROM n ORDER BY i;
WITH RECURSIVE fib(a, b, k) AS (SELECT 0::int8, 1::int8, 1 UNION ALL SELECT b, a + b, k + 1 FROM fib WHERE k < 20) SELECT max(a) AS f FROM fib;

-- window functions
SELECT name, dept, salary, row_number() OVER (PARTITION BY dept ORDER BY salary DESC, name) AS rn FROM d07_emp ORDER BY dept, rn;
SELECT name, salary, rank() OVER (ORDER BY salary DESC) AS rk, dense_rank() OVER (ORDER BY salary DESC) AS drk FROM d07_emp ORDER BY salary DESC, name;
SELECT name, salary, sum(salary) OVER (ORDER BY id) AS running, avg(salary) OVER () AS overall FROM d07_emp ORDER BY id;
SELECT name, lag(name) OVER (ORDER BY id) AS prev, lead(salary, 2, -1) OVER (ORDER BY id) AS next2 FROM d07_emp ORDER BY id;
SELECT name, first_value(name) OVER w AS top, last_value(name) OVER w AS bottom, ntile(2) OVER (ORDER BY id) AS half FROM d07_emp WINDOW w AS (PARTITION BY dept ORDER BY salary DESC, name ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) ORDER BY id;
SELECT dept, name, salary - avg(salary) OVER (PARTITION BY dept) AS delta FROM d07_emp WHERE dept IS NOT NULL ORDER BY dept, name;
SELECT id, count(*) OVER (ORDER BY salary RANGE BETWEEN 10 PRECEDING AND 10 FOLLOWING) AS near FROM d07_emp ORDER BY id;

-- subqueries
SELECT name FROM d07_emp WHERE salary > (SELECT avg(salary) FROM d07_emp) ORDER BY name;
SELECT name FROM d07_emp WHERE dept IN (SELECT code FROM d07_dept WHERE floor >= 2) ORDER BY name;
SELECT name FROM d07_emp WHERE dept NOT IN (SELECT code FROM d07_dept WHERE code <> 'eng') ORDER BY name;
SELECT name, (SELECT title FROM d07_dept WHERE code = e.dept) AS title FROM d07_emp e ORDER BY id;
SELECT dept, top FROM (SELECT dept, max(salary) AS top FROM d07_emp GROUP BY dept) s WHERE top > 60 ORDER BY dept;
SELECT name FROM d07_emp e WHERE salary = (SELECT max(salary) FROM d07_emp x WHERE x.dept = e.dept) ORDER BY name;
SELECT EXISTS (SELECT 1 FROM d07_emp WHERE salary > 1000) AS any_rich, (SELECT count(*) FROM d07_dept) AS ndept;
SELECT x, x * 2 AS y FROM generate_series(1, 4) AS g(x) ORDER BY x;
SELECT * FROM (VALUES (1, 'one'), (2, 'two')) AS v(n, word) ORDER BY n;
VALUES (1, 'a'), (2, NULL);

DROP TABLE d07_emp;
DROP TABLE d07_dept;
