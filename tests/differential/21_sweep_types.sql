-- Types as drivers decode them: two-dimensional arrays (text and binary), special date/time
-- input words, escape-format bytea in an E'' string.

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
DROP TABLE d21_arr;
