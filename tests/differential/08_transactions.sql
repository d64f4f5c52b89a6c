-- Transactions: BEGIN/COMMIT/ROLLBACK tags, visibility of own writes, rollback discarding
-- them, the failed-transaction state (25P02) and how COMMIT ends it, transaction-control
-- statements outside a transaction (warnings, not errors, in PostgreSQL).

CREATE TABLE d08_acct (id int PRIMARY KEY, balance int NOT NULL);
INSERT INTO d08_acct VALUES (1, 100), (2, 50);
BEGIN;
UPDATE d08_acct SET balance = balance - 30 WHERE id = 1;
UPDATE d08_acct SET balance = balance + 30 WHERE id = 2;
SELECT id, balance FROM d08_acct ORDER BY id;
COMMIT;
SELECT id, balance FROM d08_acct ORDER BY id;
BEGIN;
INSERT INTO d08_acct VALUES (3, 0);
DELETE FROM d08_acct WHERE id = 1;
SELECT count(*) AS n FROM d08_acct;
ROLLBACK;
SELECT id, balance FROM d08_acct ORDER BY id;
START TRANSACTION;
INSERT INTO d08_acct VALUES (4, 4);
END;
SELECT id FROM d08_acct ORDER BY id;
BEGIN;
INSERT INTO d08_acct VALUES (5, 5);
-- error: 22012
SELECT 1 / 0;
-- error: 25P02
SELECT count(*) FROM d08_acct;
-- error: 25P02
INSERT INTO d08_acct VALUES (6, 6);
COMMIT;
SELECT id FROM d08_acct ORDER BY id;
BEGIN;
-- error: 23505
INSERT INTO d08_acct VALUES (1, 1);
-- error: 25P02
SELECT 1;
ROLLBACK;
BEGIN;
-- error: 42P01
SELECT * FROM d08_no_such_table;
ROLLBACK;
SELECT count(*) AS n FROM d08_acct;
COMMIT;
ROLLBACK;
BEGIN;
BEGIN;
SELECT 1 AS still_in_tx;
COMMIT;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT sum(balance) AS total FROM d08_acct;
COMMIT;
BEGIN;
CREATE TABLE d08_tmp (x int);
INSERT INTO d08_tmp VALUES (1);
ROLLBACK;
-- error: 42P01
SELECT * FROM d08_tmp;
DROP TABLE d08_acct;
