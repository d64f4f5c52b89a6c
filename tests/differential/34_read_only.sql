-- Read-only transactions: default_transaction_read_only, SET SESSION CHARACTERISTICS AS
-- TRANSACTION, BEGIN/START TRANSACTION READ ONLY | READ WRITE, SET TRANSACTION, and what
-- SHOW/current_setting say, for writes of every kind (DML, DDL, nextval; COPY FROM and
-- executemany batches are in tests/test_read_only.py). Outside a transaction block every
-- statement is a transaction of its own that takes default_transaction_read_only.

DROP TABLE IF EXISTS d34_t;
DROP SEQUENCE IF EXISTS d34_s;
CREATE TABLE d34_t (a int);
CREATE SEQUENCE d34_s;
SET default_transaction_read_only = on;
SHOW default_transaction_read_only;
SHOW transaction_read_only;
-- error: 25006
CREATE TABLE d34_t2 (a int);
-- error: 25006
INSERT INTO d34_t VALUES (1);
-- error: 25006
UPDATE d34_t SET a = 2;
-- error: 25006
DELETE FROM d34_t;
-- error: 25006
SELECT nextval('d34_s');
SELECT count(*) FROM d34_t;
-- error: 25006
DROP TABLE d34_t;
-- error: 25006
CREATE TEMP TABLE d34_tmp (a int);
SET default_transaction_read_only = off;
SHOW transaction_read_only;
INSERT INTO d34_t VALUES (1);
SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY;
SHOW default_transaction_read_only;
-- error: 25006
INSERT INTO d34_t VALUES (1);
-- error: 25006
ALTER TABLE d34_t ADD COLUMN b int;
SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE;
SHOW default_transaction_read_only;
INSERT INTO d34_t VALUES (2);
BEGIN READ ONLY;
SHOW transaction_read_only;
-- error: 25006
INSERT INTO d34_t VALUES (3);
ROLLBACK;
BEGIN;
SET TRANSACTION READ ONLY;
SHOW transaction_read_only;
-- error: 25006
UPDATE d34_t SET a = 5;
ROLLBACK;
BEGIN;
SET TRANSACTION READ ONLY;
-- error: 25006
SELECT nextval('d34_s');
ROLLBACK;
BEGIN;
SET TRANSACTION READ ONLY;
-- error: 25006
CREATE TABLE d34_t3 (a int);
ROLLBACK;
BEGIN;
SET TRANSACTION READ ONLY;
-- error: 25006
DELETE FROM d34_t;
ROLLBACK;
BEGIN;
SET TRANSACTION READ ONLY;
SELECT count(*) FROM d34_t;
-- error: 25001
SET TRANSACTION READ WRITE;
COMMIT;
BEGIN;
INSERT INTO d34_t VALUES (9);
SET TRANSACTION READ ONLY;
ROLLBACK;
START TRANSACTION READ ONLY, ISOLATION LEVEL SERIALIZABLE;
SHOW transaction_read_only;
-- error: 25006
INSERT INTO d34_t VALUES (3);
ROLLBACK;
SET transaction_read_only = on;
SHOW transaction_read_only;
INSERT INTO d34_t VALUES (4);
BEGIN TRANSACTION READ WRITE;
SHOW transaction_read_only;
COMMIT;
SET default_transaction_read_only = on;
BEGIN READ WRITE;
INSERT INTO d34_t VALUES (7);
COMMIT;
BEGIN;
SHOW transaction_read_only;
SELECT current_setting('transaction_read_only');
-- error: 25006
INSERT INTO d34_t VALUES (8);
ROLLBACK;
SELECT current_setting('transaction_read_only'), current_setting('default_transaction_read_only');
-- error: 25006
CREATE VIEW d34_v AS SELECT 1;
-- error: 25006
CREATE INDEX d34_i ON d34_t (a);
-- error: 25006
TRUNCATE d34_t;
-- error: 25006
COMMENT ON TABLE d34_t IS 'x';
-- error: 25006
-- diff: sqlstate reason: setval() is refused first (0A000: DuckDB sequences cannot be repositioned)
SELECT setval('d34_s', 5);
SELECT count(*) FROM d34_t;
RESET default_transaction_read_only;
SELECT count(*) FROM d34_t;
DROP TABLE d34_t;
DROP SEQUENCE d34_s;
CREATE TABLE d34_t (a int);
SET TRANSACTION READ ONLY;
INSERT INTO d34_t VALUES (1);
SET default_transaction_read_only = true;
SHOW default_transaction_read_only;
SHOW transaction_read_only;
-- error: 22023
SET default_transaction_read_only = 'maybe';
-- error: 25006
CREATE TEMP TABLE d34_tmp (a int);
SET default_transaction_read_only = off;
CREATE TEMP TABLE d34_tmp (a int);
BEGIN READ ONLY;
INSERT INTO d34_tmp VALUES (1);
UPDATE d34_tmp SET a = 2;
SELECT a FROM d34_tmp;
DELETE FROM d34_tmp;
-- error: 25006
INSERT INTO d34_t VALUES (1);
ROLLBACK;
BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;
SHOW transaction_isolation;
SHOW transaction_read_only;
-- error: 25006
INSERT INTO d34_t SELECT 1;
ROLLBACK;
SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY;
SHOW default_transaction_isolation;
SHOW default_transaction_read_only;
-- error: 25006
WITH x AS (INSERT INTO d34_t VALUES (5) RETURNING a) SELECT * FROM x;
SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE, ISOLATION LEVEL READ COMMITTED;
SHOW default_transaction_isolation;
DROP TABLE d34_tmp;
DROP TABLE d34_t;
