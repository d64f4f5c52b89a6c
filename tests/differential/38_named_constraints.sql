-- Constraints added and dropped by name, as migrations do (Django's AddConstraint/AlterField,
-- Rails' add_foreign_key/remove_foreign_key, Alembic's create_/drop_constraint).

CREATE TABLE d38_p (id int PRIMARY KEY, code text);
CREATE TABLE d38_c (id int PRIMARY KEY, pid int, code text, CONSTRAINT d38_c_code_len CHECK (length(code) < 9), CHECK (id > 0));
CREATE INDEX d38_c_pid ON d38_c (pid);
INSERT INTO d38_p VALUES (1, 'p'), (2, 'q');
INSERT INTO d38_c VALUES (1, 1, 'a'), (2, 2, 'b');
ALTER TABLE d38_c ADD CONSTRAINT d38_c_pid_fk_d38_p_id FOREIGN KEY (pid) REFERENCES d38_p (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE d38_c ADD CONSTRAINT d38_c_code_chk CHECK (length(code) < 5);
ALTER TABLE d38_c ADD CONSTRAINT d38_c_other_fk FOREIGN KEY (id) REFERENCES d38_p (id);
SELECT conname, contype FROM pg_constraint WHERE conrelid = 'd38_c'::regclass ORDER BY 1;
-- error: 23503
INSERT INTO d38_c VALUES (3, 9, 'c');
-- error: 23514
INSERT INTO d38_c VALUES (5, 1, 'longer');
ALTER TABLE d38_c DROP CONSTRAINT d38_c_pid_fk_d38_p_id;
ALTER TABLE d38_c DROP CONSTRAINT d38_c_other_fk;
INSERT INTO d38_c VALUES (3, 9, 'c');
ALTER TABLE d38_c DROP CONSTRAINT d38_c_code_chk;
INSERT INTO d38_c VALUES (4, 1, 'longer');
-- error: 23514
INSERT INTO d38_c VALUES (5, 1, 'much longer');
ALTER TABLE d38_c DROP CONSTRAINT d38_c_id_check;
INSERT INTO d38_c VALUES (-6, 1, 'neg');
ALTER TABLE d38_c DROP CONSTRAINT IF EXISTS d38_c_nope;
ALTER TABLE IF EXISTS d38_none DROP CONSTRAINT d38_c_nope;
-- error: 42P01
ALTER TABLE d38_none DROP CONSTRAINT d38_c_nope;
-- error: 42704
ALTER TABLE d38_c DROP CONSTRAINT d38_c_nope;
SELECT conname, contype FROM pg_constraint WHERE conrelid = 'd38_c'::regclass ORDER BY 1;
SELECT indexname FROM pg_indexes WHERE tablename = 'd38_c' ORDER BY 1;
SELECT id, pid, code FROM d38_c ORDER BY id;
BEGIN;
-- error: 23503
ALTER TABLE d38_c ADD CONSTRAINT d38_c_pid_again FOREIGN KEY (pid) REFERENCES d38_p (id);
ROLLBACK;
INSERT INTO d38_c VALUES (7, 99, 'x');
ALTER TABLE d38_c DROP CONSTRAINT d38_c_pkey;
INSERT INTO d38_c VALUES (1, 1, 'dup');
SELECT count(*) FROM d38_c WHERE id = 1;
DROP TABLE d38_c;
DROP TABLE d38_p;
