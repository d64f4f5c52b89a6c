-- Error cases: the SQLSTATE must match PostgreSQL's (messages are not compared).

CREATE TABLE d09_u (id int PRIMARY KEY, email text UNIQUE, name varchar(3) NOT NULL, age int CHECK (age >= 0));
INSERT INTO d09_u VALUES (1, 'a@x', 'ann', 30);

-- undefined table / column
-- error: 42P01
SELECT * FROM d09_missing;
-- error: 42P01
INSERT INTO d09_missing VALUES (1);
-- error: 42P01
DROP TABLE d09_missing;
-- error: 42703
SELECT nope FROM d09_u;
-- error: 42703
UPDATE d09_u SET nope = 1;
-- error: 42703
SELECT id FROM d09_u ORDER BY nope;

-- syntax errors
-- error: 42601
SELEC 1;
-- error: 42601
SELECT 1 +;
-- error: 42601
SELECT * FROM d09_u WHERE;
-- error: 42601
CREATE TABLE (id int);

-- undefined function / operator
-- error: 42883
SELECT no_such_function(1);
-- error: 42883
SELECT 'a'::text - 1;
-- error: 42883
SELECT length(1, 2, 3);
-- error: 42883
SELECT '2024-01-01'::date * 2;

-- constraint violations
-- error: 23505
INSERT INTO d09_u VALUES (1, 'b@x', 'bob', 1);
-- error: 23505
INSERT INTO d09_u VALUES (2, 'a@x', 'bob', 1);
-- error: 23502
INSERT INTO d09_u (id, email) VALUES (3, 'c@x');
-- error: 23502
UPDATE d09_u SET name = NULL WHERE id = 1;
-- error: 23514
INSERT INTO d09_u VALUES (4, 'd@x', 'dee', -1);
-- error: 22001
INSERT INTO d09_u VALUES (5, 'e@x', 'toolong', 1);
-- varchar(n)/char(n): typed as PostgreSQL does (gateway/sql/result_types.py)
SELECT id, email, name, age FROM d09_u ORDER BY id;

-- invalid input syntax
-- error: 22P02
SELECT 'abc'::int;
-- error: 22P02
SELECT 'x'::uuid;
-- error: 22P02
SELECT 'maybe'::bool;
-- error: 22P02
SELECT '1.5.5'::numeric;
-- error: 22P02
SELECT '{1,2'::int[];
-- error: 22P02
INSERT INTO d09_u VALUES ('six', 'f@x', 'fay', 1);
-- error: 22P02
SELECT '{bad json'::jsonb;
-- error: 22007
SELECT 'not a date'::date;
-- error: 22008
SELECT '2024-13-01'::date;

-- division by zero and out of range
-- error: 22012
SELECT 1 / 0;
-- error: 22012
SELECT 1.0 / 0;
-- error: 22012
SELECT 5 % 0;
-- error: 22003
SELECT 2147483647 + 1;
-- error: 22003
SELECT 32767::int2 + 1::int2;
-- error: 22003
SELECT 123456.789::numeric(5,2);
-- error: 22012
SELECT 1.0::float8 / 0.0::float8;

-- semantic errors
-- error: 42P07
CREATE TABLE d09_u (id int);
-- error: 42803
SELECT id, count(*) FROM d09_u;
-- error: 21000
SELECT (SELECT id FROM (VALUES (1), (2)) v(id));
-- error: 42804
SELECT CASE WHEN true THEN 1 ELSE 'a'::text END;
-- error: 42702
SELECT id FROM d09_u a, d09_u b;
-- error: 42P10
SELECT id FROM d09_u ORDER BY 5;

DROP TABLE d09_u;
