-- Types as drivers decode them: two-dimensional arrays (text and binary), special date/time
-- input words, escape-format bytea in an E'' string, interval literals written as PostgreSQL
-- prints them ('1 day 02:00', '2 mons'), interval / number, generate_series over dates.

CREATE TABLE d21_arr (id int, m int[][], t text[][]);
INSERT INTO d21_arr VALUES (1, '{{1,2},{3,4}}', '{{"a b",NULL},{"c,d","\"q\""}}');
INSERT INTO d21_arr VALUES (2, ARRAY[[5,6],[7,NULL]], ARRAY[['x','y'],['z','w']]);
-- extended
SELECT id, m, t FROM d21_arr ORDER BY id;
-- extended
SELECT m[1][2], t[2][1] FROM d21_arr ORDER BY id;
-- extended
SELECT ARRAY[[1,2],[3,4]], ARRAY[ARRAY['a','b'],ARRAY['c','d']], '{{1.5,2},{3,4}}'::float8[][];
-- error: 22P02
SELECT '{{1,2},{3}}'::int[][];
-- extended
SELECT 'epoch'::timestamp, 'epoch'::date, 'infinity'::date, '-infinity'::timestamp;
SELECT 'today'::date = current_date, 'tomorrow'::date - 'yesterday'::date, 'now'::timestamptz <= now(), 'today'::timestamp = date_trunc('day', localtimestamp);
-- extended
SELECT E'\\000\\001'::bytea, E'a\\\\b'::bytea;
-- extended
SELECT interval '1 day 02:00', interval '2 mons', interval '10 secs', interval '3 hrs', interval '1 mon -1 days', interval '90 minutes';
SELECT timestamp '2024-01-31 10:00' + interval '1 mon', timestamp '2024-01-31 10:00' - interval '1 day 02:00', date '2024-03-01' - interval '1 day';
SELECT x FROM (VALUES (interval '1 day'), (interval '25 hours'), (interval '1 mon')) v(x) ORDER BY x;
-- extended
SELECT interval '1 year' / 3, interval '1 mon' / 2, interval '1 day' / 2, interval '1 day 02:00:00' / 4;
SELECT interval '3 mons 10 days 01:00:00' / 7, interval '-1 year -2 days' / 5, interval '1 hour' / 0.5, interval '1 year 2 months 3 days 04:05:06.5' / 2.5;
-- error: 22012
SELECT interval '1 day' / 0;
-- extended
SELECT generate_series('2024-01-01'::date, '2024-01-03'::date, '1 day');
SELECT g FROM generate_series(date '2024-01-01', date '2024-01-02', '12 hours'::interval) g ORDER BY g;
SELECT generate_series('2024-01-01'::date, '2024-01-02', interval '1 day');
SELECT g::date FROM generate_series('2024-01-01'::date, '2024-01-03'::date, '1 day') g ORDER BY 1;
-- extended
SELECT * FROM unnest(ARRAY[1,2], ARRAY['a','b']) AS u(n, s) ORDER BY n;
SELECT * FROM unnest(ARRAY[1,2,3], ARRAY['a']) AS u(n, s) ORDER BY n;
CREATE TABLE d21_un (a int, b text);
INSERT INTO d21_un (a, b) SELECT * FROM unnest(ARRAY[1,2]::int[], ARRAY['x','y']::text[]);
SELECT p.a, p.b, u.s FROM d21_un p JOIN unnest(ARRAY[1,2], ARRAY['q','r']) AS u(n, s) ON p.a = u.n ORDER BY 1;
DROP TABLE d21_un;
DROP TABLE d21_arr;
