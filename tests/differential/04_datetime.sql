-- Date/time arithmetic, extraction and truncation (session TimeZone is UTC on both sides).
-- extended: reads

SELECT '2024-01-31'::date + 1 AS next_day, '2024-03-01'::date - 1 AS prev_day, '2024-03-01'::date - '2024-01-01'::date AS days;
SELECT '2024-01-31'::date + interval '1 month' AS plus_month, '2024-01-01'::date + '12:30'::time AS at_time;
SELECT '2024-01-02 03:04:05'::timestamp - '2024-01-01 00:00:00'::timestamp AS diff, '2024-01-02 03:04:05'::timestamp + interval '1 day 1 hour' AS plus;
SELECT '2024-01-02 03:04:05+00'::timestamptz - interval '30 minutes' AS minus, '2024-03-10 12:00:00+00'::timestamptz - '2024-03-09 00:00:00+00'::timestamptz AS tz_diff;
SELECT interval '1 hour' * 3 AS times, interval '1 day' / 2 AS half, interval '2 days' + interval '3 hours' AS sum, -interval '1 day' AS neg;
SELECT '10:00'::time + interval '3 hours' AS t, '10:00'::time - '08:30'::time AS tdiff;
SELECT extract(year FROM '2024-05-06 07:08:09.5'::timestamp) AS y, extract(month FROM '2024-05-06'::date) AS m, extract(second FROM '2024-05-06 07:08:09.5'::timestamp) AS s;
SELECT extract(epoch FROM '2024-01-01 00:00:00+00'::timestamptz) AS epoch, extract(dow FROM '2024-05-06'::date) AS dow, extract(doy FROM '2024-12-31'::date) AS doy;
SELECT extract(epoch FROM interval '1 day 2 hours') AS secs, extract(hour FROM '13:45:00'::time) AS h;
SELECT date_part('year', '2024-05-06'::date) AS y, date_part('minute', '2024-05-06 07:08:09'::timestamp) AS mi;
SELECT date_trunc('month', '2024-05-06 07:08:09'::timestamp) AS m, date_trunc('hour', '2024-05-06 07:08:09'::timestamp) AS h, date_trunc('year', '2024-05-06'::date) AS y;
SELECT date_trunc('day', '2024-05-06 07:08:09+00'::timestamptz) AS d, date_trunc('week', '2024-05-08'::timestamp) AS w;
SELECT make_date(2024, 2, 29) AS d, make_time(1, 2, 3.5) AS t, make_timestamp(2024, 1, 2, 3, 4, 5.5) AS ts;
SELECT to_timestamp(0) AS epoch0, to_timestamp(1700000000.5) AS later;
SELECT '2024-01-02'::date < '2024-01-03'::date AS lt, '2024-01-02 00:00:00'::timestamp = '2024-01-02'::date AS eq, '1 day'::interval = '24 hours'::interval AS ieq;
SELECT age('2024-05-06'::timestamp, '2020-01-01'::timestamp) AS age, justify_hours(interval '50 hours') AS jh, justify_days(interval '40 days') AS jd;
SELECT to_char('2024-05-06 07:08:09'::timestamp, 'YYYY-MM-DD HH24:MI:SS') AS fmt, to_date('06/05/2024', 'DD/MM/YYYY') AS d;
SELECT d::date AS d FROM generate_series('2024-01-30'::timestamp, '2024-02-02'::timestamp, interval '1 day') AS g(d) ORDER BY d;

CREATE TABLE d04_events (id int PRIMARY KEY, on_day date, at_time time, at_ts timestamp, at_tstz timestamptz, dur interval, tz_time timetz);
INSERT INTO d04_events VALUES (1, '2024-01-01', '08:00', '2024-01-01 08:00:00', '2024-01-01 08:00:00+00', '1 hour', '08:00+01'), (2, '2024-02-29', '23:59:59.5', '2024-02-29 23:59:59.5', '2024-02-29 23:59:59.5-03', '1 day 12:00:00', '23:59:59-03'), (3, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT id, on_day, at_time, at_ts, at_tstz, dur, tz_time FROM d04_events ORDER BY id;
SELECT id, at_ts + dur AS ends, at_tstz::date AS utc_day, on_day + 7 AS week_later FROM d04_events ORDER BY id;
SELECT count(*) AS n, min(on_day) AS first, max(at_tstz) AS last, sum(dur) AS total FROM d04_events;
SELECT id FROM d04_events WHERE at_ts BETWEEN '2024-01-01' AND '2024-02-01' ORDER BY id;
DROP TABLE d04_events;
