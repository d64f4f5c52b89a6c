-- PostgreSQL dialect constructs the rewrite layer translates for DuckDB (issue 4, Build):
-- set-returning functions in the select list, to_char/to_timestamp, regex operators, E''
-- strings, string_agg, array_agg ... ORDER BY, ANY(array), OPERATOR(pg_catalog.op),
-- COLLATE pg_catalog.default, SELECT ... FOR UPDATE/SHARE.
-- extended: reads

CREATE TABLE d11_words (id int PRIMARY KEY, w text NOT NULL, grp int, n numeric(8,2));
INSERT INTO d11_words VALUES (1, 'apple', 1, 1.50), (2, 'Banana', 1, 2.25), (3, 'cherry', 2, NULL), (4, 'date', 2, 10), (5, 'Elder', NULL, 0.75);

-- set-returning functions in the select list
SELECT generate_series(1, 3) AS g;
SELECT generate_series(1, 10, 3) AS g, 'x' AS tag;
SELECT generate_series(5, 1, -2);
SELECT unnest(ARRAY[10, 20, 30]) AS v;
SELECT unnest(ARRAY['a', 'b']) AS v, 1 AS k;
SELECT id, unnest(ARRAY[id, id * 10]) AS v FROM d11_words WHERE id <= 2 ORDER BY id, v;
SELECT g FROM generate_series(1, 5) AS g ORDER BY g DESC;
SELECT * FROM generate_series(2, 8, 2);
SELECT count(*) AS n, sum(g) AS s FROM generate_series(1, 100) AS g;
SELECT d::date AS day FROM generate_series('2024-01-30'::timestamp, '2024-02-02'::timestamp, interval '1 day') AS d ORDER BY d;
SELECT x, ord FROM unnest(ARRAY['p', 'q', 'r']) WITH ORDINALITY AS t(x, ord) ORDER BY ord;

-- to_char and to_timestamp
SELECT to_char('2024-03-05 14:07:09'::timestamp, 'YYYY-MM-DD HH24:MI:SS') AS a;
SELECT to_char('2024-03-05 14:07:09'::timestamp, 'DD/MM/YYYY') AS a, to_char('2024-03-05'::date, 'YYYYMMDD') AS b;
SELECT to_char('2024-03-05 14:07:09'::timestamp, 'HH12:MI AM') AS a, to_char('2024-03-05 02:07:09'::timestamp, 'HH12 PM') AS b;
SELECT to_char('2024-12-25 00:00:00'::timestamp, 'Mon DD, YYYY') AS a, to_char('2024-12-25'::date, 'Month') AS b, to_char('2024-12-25'::date, 'FMMonth') AS c;
SELECT to_char('2024-03-05'::date, 'Dy') AS a, to_char('2024-03-05'::date, 'FMDay') AS b, to_char('2024-03-05'::date, 'D') AS c;
SELECT to_char('2024-03-05 14:07:09.123456'::timestamp, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS a, to_char('2024-03-05 14:07:09.5'::timestamp, 'MS') AS b;
SELECT to_char('2024-03-05'::date, 'YY-Q-WW-DDD') AS a, to_char('2024-03-05'::date, 'FMMM/FMDD') AS b;
SELECT to_char('2024-03-05 14:07:09+00'::timestamptz, 'YYYY-MM-DD HH24:MI') AS a;
SELECT to_timestamp(0) AS epoch0, to_timestamp(1700000000) AS later;
SELECT to_timestamp(1700000000.5) AS frac;
SELECT to_timestamp('2024-03-05 14:07:09', 'YYYY-MM-DD HH24:MI:SS') AS a;
SELECT to_timestamp('05/03/2024', 'DD/MM/YYYY') AS a;
SELECT to_date('2024-03-05', 'YYYY-MM-DD') AS a, to_date('20240229', 'YYYYMMDD') AS b;

-- regular expression operators
SELECT 'abc' ~ 'b' AS a, 'abc' ~ '^b' AS b, 'ABC' ~* 'b' AS c, 'abc' !~ 'z' AS d, 'abc' !~* 'B' AS e;
SELECT w FROM d11_words WHERE w ~ '^[a-c]' ORDER BY w;
SELECT w FROM d11_words WHERE w ~* '^[a-c]' ORDER BY w;
SELECT w FROM d11_words WHERE w !~ 'e' ORDER BY w;
SELECT regexp_replace('a1b22c333', '[0-9]+', '#') AS first, regexp_replace('a1b22c333', '[0-9]+', '#', 'g') AS every;
SELECT 'foo123' SIMILAR TO 'foo[0-9]+' AS sim, 'x' ~ '' AS empty;

-- E'' strings and other literal forms
SELECT E'tab\there' AS a, E'quote\'s' AS b, E'nl\nx' AS c, E'\x41\101' AS d;
SELECT length(E'a\\b') AS n, E'' AS empty, U&'d\0061t\+000061' AS uni;
SELECT $$dollar 'quoted'$$ AS a, $tag$with $$ inside$tag$ AS b;

-- string_agg and array_agg with ORDER BY
SELECT string_agg(w, ', ') AS s FROM (SELECT w FROM d11_words ORDER BY id) t;
SELECT string_agg(w, ',' ORDER BY w) AS s, string_agg(w, ',' ORDER BY id DESC) AS r FROM d11_words;
SELECT grp, string_agg(w, '|' ORDER BY w) AS s FROM d11_words GROUP BY grp ORDER BY grp NULLS LAST;
SELECT array_agg(id ORDER BY id DESC) AS a, array_agg(w ORDER BY lower(w)) AS b FROM d11_words;
SELECT grp, array_agg(n ORDER BY n NULLS FIRST) AS ns FROM d11_words GROUP BY grp ORDER BY grp;
SELECT array_agg(DISTINCT grp ORDER BY grp) AS g FROM d11_words WHERE grp IS NOT NULL;
SELECT string_agg(DISTINCT w, ',' ORDER BY w) FILTER (WHERE grp = 1) AS s FROM d11_words;

-- ANY / ALL with arrays
SELECT 2 = ANY(ARRAY[1, 2, 3]) AS a, 5 = ANY(ARRAY[1, 2]) AS b, 3 > ALL(ARRAY[1, 2]) AS c, 1 <> ALL(ARRAY[1, 2]) AS d;
SELECT id FROM d11_words WHERE id = ANY(ARRAY[1, 3, 5]) ORDER BY id;
SELECT id FROM d11_words WHERE w = ANY('{apple,date}'::text[]) ORDER BY id;
SELECT id FROM d11_words WHERE id <> ALL('{1,2}'::int[]) ORDER BY id;
SELECT NULL::int = ANY(ARRAY[1]) AS a, 1 = ANY(ARRAY[NULL, 1]) AS b, 2 = ANY(ARRAY[NULL, 1]) AS c;

-- OPERATOR(pg_catalog.x) and COLLATE pg_catalog.default (psql and pg_dump write these)
SELECT 'abc' OPERATOR(pg_catalog.~) 'b' AS a, 'ABC' OPERATOR(pg_catalog.~*) 'b' AS b, 3 OPERATOR(pg_catalog.+) 4 AS c;
SELECT w FROM d11_words WHERE w OPERATOR(pg_catalog.~) '^(apple)$' COLLATE pg_catalog.default;
SELECT id FROM d11_words WHERE id OPERATOR(pg_catalog.=) 2 AND w OPERATOR(pg_catalog.<>) 'x';
SELECT w COLLATE pg_catalog.default AS w FROM d11_words ORDER BY w COLLATE "C";
SELECT 'b' < 'a' COLLATE "C" AS c, 'x' COLLATE "default" = 'x' AS d;

-- SELECT ... FOR UPDATE / FOR SHARE: accepted (the writer is serialized)
SELECT id, w FROM d11_words WHERE id = 1 FOR UPDATE;
SELECT id FROM d11_words WHERE grp = 2 ORDER BY id FOR SHARE;
SELECT id FROM d11_words ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED;
SELECT id FROM d11_words WHERE id = 4 FOR NO KEY UPDATE NOWAIT;
BEGIN;
SELECT w FROM d11_words WHERE id = 2 FOR UPDATE;
UPDATE d11_words SET n = n + 1 WHERE id = 2;
COMMIT;
SELECT n FROM d11_words WHERE id = 2;

-- casts in PostgreSQL's forms
SELECT CAST('42' AS integer) AS a, '3.5'::double precision AS b, int '7' AS c, '2024-01-01'::date + 1 AS d;
SELECT 'true'::boolean::text AS a, 12::text || 'px' AS b, '0012'::int AS c, ' 5 '::int AS d;
SELECT 10::bigint::text AS a, (2 + 3)::text AS b, '1e2'::float8::int AS c;

DROP TABLE d11_words;
-- generate_series with a quoted bound typed by the other bound
SELECT * FROM generate_series('2020-01-01'::timestamp, '2020-01-03', '1 day') AS g(ts);
SELECT g::text FROM generate_series('2020-01-01 00:00'::timestamptz, '2020-01-01 02:00', interval '1 hour') AS g;
