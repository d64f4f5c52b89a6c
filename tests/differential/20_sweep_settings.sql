-- Session settings as clients use them: SHOW of common settings and their column names,
-- enum values shown lower case, set_config() changing the session like SET, TimeZone names
-- in any case and numeric/POSIX offsets, current_setting() in writes, and the errors.

SHOW client_min_messages;
SHOW work_mem;
SHOW timezone;
SHOW datestyle;
SHOW WORK_MEM;
SET client_min_messages TO 'WARNING';
SHOW client_min_messages;
RESET client_min_messages;
SELECT set_config('application_name', 'sweep', false);
SHOW application_name;
SELECT current_setting('application_name');
SELECT set_config('TimeZone', 'Asia/Tokyo', false);
SELECT '2024-01-01 00:00:00+00'::timestamptz;
BEGIN;
SELECT set_config('TimeZone', 'Europe/Paris', true);
SELECT '2024-01-01 00:00:00+00'::timestamptz;
COMMIT;
SELECT '2024-01-01 00:00:00+00'::timestamptz;
SET timezone = 'america/new_york';
SHOW timezone;
SELECT '2024-07-01 12:00:00+00'::timestamptz;
SET TIME ZONE -7;
SELECT '2024-01-01 00:00:00+00'::timestamptz;
SET TIME ZONE 'UTC+3';
SELECT '2024-01-01 00:00:00+00'::timestamptz;
-- error: 22023
SET timezone = 'Bogus/Zone';
SET timezone = 'UTC';
-- error: 42704
SELECT current_setting('no_such_setting');
SELECT current_setting('no_such.setting', true);
SET myapp.tenant = 't1';
CREATE TABLE d20_t (a text, b text);
INSERT INTO d20_t VALUES (current_setting('myapp.tenant'), 'autocommit');
BEGIN;
INSERT INTO d20_t VALUES (current_setting('myapp.tenant'), 'in transaction');
COMMIT;
SELECT a, b FROM d20_t ORDER BY b;
BEGIN;
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
COMMIT;
SET CONSTRAINTS ALL IMMEDIATE;
-- error: 25P01
RELEASE SAVEPOINT nosuch;
-- error: 25P01
ROLLBACK TO SAVEPOINT nosuch;
-- error: 42704
COMMIT PREPARED 'sweep_tx';
SET SESSION AUTHORIZATION DEFAULT;
RESET SESSION AUTHORIZATION;
SELECT pg_catalog.set_config('search_path', '', false);
SHOW search_path;
SELECT set_config('search_path', 'public', false);
DROP TABLE d20_t;
