-- Joins (USING, NATURAL, LATERAL, self, anti/semi), grouping sets, window frames and
-- ranking, CTEs (incl. recursive hierarchy walks), subqueries in every position.

CREATE TABLE d13_dept (id int PRIMARY KEY, name text NOT NULL, parent_id int);
CREATE TABLE d13_emp (id int PRIMARY KEY, dept_id int, name text NOT NULL, salary int NOT NULL, manager_id int, started date NOT NULL);
INSERT INTO d13_dept VALUES (1, 'Company', NULL), (2, 'Engineering', 1), (3, 'Platform', 2), (4, 'Sales', 1), (5, 'EMEA Sales', 4), (6, 'Legal', 1);
INSERT INTO d13_emp VALUES (1, 1, 'Ada', 300, NULL, '2015-01-01'), (2, 2, 'Bea', 200, 1, '2016-03-15'), (3, 3, 'Cal', 150, 2, '2018-06-01'), (4, 3, 'Dot', 160, 2, '2019-09-09'), (5, 4, 'Eli', 180, 1, '2017-02-02'), (6, 5, 'Fin', 120, 5, '2020-10-10'), (7, 5, 'Gus', 120, 5, '2021-01-05'), (8, NULL, 'Hal', 90, 1, '2022-07-07');

-- joins
SELECT e.name, d.name AS dept FROM d13_emp e INNER JOIN d13_dept d ON d.id = e.dept_id ORDER BY e.id;
SELECT e.name, d.name AS dept FROM d13_emp e LEFT OUTER JOIN d13_dept d ON d.id = e.dept_id WHERE d.id IS NULL;
SELECT d.name, count(e.id) AS staff FROM d13_dept d LEFT JOIN d13_emp e ON e.dept_id = d.id GROUP BY d.id, d.name ORDER BY d.id;
SELECT e.name, m.name AS manager FROM d13_emp e LEFT JOIN d13_emp m ON m.id = e.manager_id ORDER BY e.id;
SELECT a.id, b.id FROM d13_dept a JOIN d13_dept b USING (parent_id) WHERE a.id < b.id ORDER BY 1, 2;
SELECT parent_id, count(*) AS n FROM d13_dept JOIN (SELECT id AS parent_id, name AS pname FROM d13_dept) p USING (parent_id) GROUP BY parent_id ORDER BY parent_id;
SELECT d.name, top.name, top.salary FROM d13_dept d CROSS JOIN LATERAL (SELECT name, salary FROM d13_emp e WHERE e.dept_id = d.id ORDER BY salary DESC, name LIMIT 1) top ORDER BY d.id;
SELECT d.name, x.n FROM d13_dept d LEFT JOIN LATERAL (SELECT count(*) AS n FROM d13_emp e WHERE e.dept_id = d.id) x ON true ORDER BY d.id;
SELECT e.name FROM d13_emp e WHERE EXISTS (SELECT 1 FROM d13_emp r WHERE r.manager_id = e.id) ORDER BY e.name;
SELECT e.name FROM d13_emp e WHERE NOT EXISTS (SELECT 1 FROM d13_emp r WHERE r.manager_id = e.id) ORDER BY e.name;
SELECT e.name FROM d13_emp e WHERE e.dept_id IN (SELECT id FROM d13_dept WHERE parent_id = 1) ORDER BY e.name;
SELECT d.name FROM d13_dept d FULL OUTER JOIN d13_emp e ON e.dept_id = d.id WHERE e.id IS NULL OR d.id IS NULL ORDER BY d.name NULLS LAST;
SELECT count(*) AS n FROM d13_emp e1, d13_emp e2 WHERE e1.salary < e2.salary;
SELECT e.name, d.name AS dept, p.name AS parent FROM d13_emp e JOIN d13_dept d ON d.id = e.dept_id JOIN d13_dept p ON p.id = d.parent_id ORDER BY e.id;

-- grouping
SELECT dept_id, count(*) AS n, max(salary) AS top, min(started) AS first FROM d13_emp GROUP BY dept_id HAVING max(salary) > 100 ORDER BY dept_id NULLS FIRST;
SELECT dept_id, manager_id, sum(salary) AS s FROM d13_emp WHERE dept_id IS NOT NULL GROUP BY GROUPING SETS ((dept_id), (manager_id), ()) ORDER BY dept_id NULLS LAST, manager_id NULLS LAST, s;
SELECT dept_id, grouping(dept_id) AS g, count(*) AS n FROM d13_emp GROUP BY ROLLUP (dept_id) ORDER BY g, dept_id NULLS FIRST;
SELECT extract(year FROM started)::int AS y, count(*) AS n FROM d13_emp GROUP BY 1 ORDER BY 1;
SELECT CASE WHEN salary >= 200 THEN 'high' WHEN salary >= 120 THEN 'mid' ELSE 'low' END AS band, count(*) AS n FROM d13_emp GROUP BY 1 ORDER BY 1;
SELECT count(DISTINCT dept_id) AS depts, count(DISTINCT manager_id) AS managers FROM d13_emp;

-- window functions
SELECT name, salary, percent_rank() OVER (ORDER BY salary) AS pr, cume_dist() OVER (ORDER BY salary) AS cd FROM d13_emp ORDER BY salary, name;
SELECT name, salary, sum(salary) OVER (ORDER BY started ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS pair FROM d13_emp ORDER BY started;
SELECT name, count(*) OVER (PARTITION BY dept_id) AS in_dept, max(salary) OVER (PARTITION BY dept_id) AS dept_top FROM d13_emp ORDER BY id;
SELECT name, nth_value(name, 2) OVER (ORDER BY salary DESC, name ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS second FROM d13_emp ORDER BY id;
SELECT name, salary, lag(salary, 1, 0) OVER (ORDER BY id) AS prev, salary - lag(salary) OVER (ORDER BY id) AS diff FROM d13_emp ORDER BY id;
SELECT name, row_number() OVER () > 0 AS numbered FROM d13_emp ORDER BY name;
SELECT * FROM (SELECT name, dept_id, rank() OVER (PARTITION BY dept_id ORDER BY salary DESC) AS r FROM d13_emp) t WHERE r = 1 ORDER BY name;
SELECT name, min(started) OVER (ORDER BY id RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS earliest FROM d13_emp ORDER BY id;
SELECT dept_id, sum(salary) AS total, sum(sum(salary)) OVER () AS grand, rank() OVER (ORDER BY sum(salary) DESC) AS r FROM d13_emp GROUP BY dept_id ORDER BY r, dept_id NULLS FIRST;

-- CTEs
WITH RECURSIVE tree AS (SELECT id, name, 0 AS depth, name AS path FROM d13_dept WHERE parent_id IS NULL UNION ALL SELECT d.id, d.name, t.depth + 1, t.path || ' > ' || d.name FROM d13_dept d JOIN tree t ON d.parent_id = t.id) SELECT id, depth, path FROM tree ORDER BY path;
WITH RECURSIVE chain AS (SELECT id, name, manager_id, 1 AS lvl FROM d13_emp WHERE id = 6 UNION ALL SELECT m.id, m.name, m.manager_id, c.lvl + 1 FROM d13_emp m JOIN chain c ON m.id = c.manager_id) SELECT name, lvl FROM chain ORDER BY lvl;
WITH RECURSIVE sub AS (SELECT id FROM d13_dept WHERE id = 2 UNION SELECT d.id FROM d13_dept d JOIN sub s ON d.parent_id = s.id) SELECT count(*) AS n, sum(e.salary) AS payroll FROM d13_emp e JOIN sub ON sub.id = e.dept_id;
WITH RECURSIVE t(n) AS (VALUES (1) UNION ALL SELECT n * 2 FROM t WHERE n < 1000) SELECT array_agg(n ORDER BY n) AS powers FROM t;
WITH stats AS (SELECT dept_id, avg(salary) AS mean FROM d13_emp GROUP BY dept_id) SELECT e.name FROM d13_emp e JOIN stats s ON s.dept_id = e.dept_id WHERE e.salary > s.mean ORDER BY e.name;
WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT x, y FROM a, b;
WITH m AS MATERIALIZED (SELECT id FROM d13_emp WHERE salary > 150) SELECT count(*) FROM m;

-- subqueries and set operations
SELECT name, salary, (SELECT count(*) FROM d13_emp x WHERE x.salary > e.salary) AS richer FROM d13_emp e ORDER BY id;
SELECT name FROM d13_emp WHERE salary > ALL (SELECT salary FROM d13_emp WHERE dept_id = 5) AND salary < 200 ORDER BY name;
SELECT name FROM d13_emp WHERE salary = ANY (SELECT salary FROM d13_emp WHERE dept_id = 3) ORDER BY name;
SELECT max(n) AS most FROM (SELECT dept_id, count(*) AS n FROM d13_emp GROUP BY dept_id) t;
SELECT name FROM d13_dept UNION SELECT name FROM d13_emp ORDER BY 1 LIMIT 5;
(SELECT id FROM d13_emp ORDER BY id LIMIT 2) UNION ALL (SELECT id FROM d13_dept ORDER BY id DESC LIMIT 2);
SELECT id FROM d13_emp INTERSECT ALL SELECT id FROM d13_dept ORDER BY id;
SELECT id FROM d13_emp EXCEPT SELECT manager_id FROM d13_emp ORDER BY id;
SELECT name FROM d13_emp ORDER BY salary DESC, name OFFSET 2 ROWS FETCH NEXT 3 ROWS ONLY;
SELECT name FROM d13_emp WHERE name LIKE '_a%' OR name ILIKE 'd%' ORDER BY name;
SELECT name FROM d13_emp WHERE manager_id IS DISTINCT FROM 1 ORDER BY name;
SELECT name FROM d13_emp WHERE salary BETWEEN 120 AND 160 AND name NOT IN ('Gus') ORDER BY name;

-- errors in queries
-- error: 42803
SELECT dept_id, name FROM d13_emp GROUP BY dept_id;
-- error: 42702
SELECT id FROM d13_emp JOIN d13_dept ON d13_dept.id = d13_emp.dept_id;
-- error: 42P01
SELECT d13_nope.id FROM d13_emp;
-- error: 21000
SELECT (SELECT id FROM d13_emp) AS one;
-- error: 42601
SELECT name FROM d13_emp WHERE;
-- error: 42883
SELECT name FROM d13_emp WHERE salary ~ 'x';

DROP TABLE d13_emp;
DROP TABLE d13_dept;
