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
CREATE TABLE d38_u (id int PRIMARY KEY, code text, qty int, CONSTRAINT d38_u_code_unique UNIQUE (code));
CREATE TABLE d38_v (a int, b int, v int);
ALTER TABLE d38_v ADD CONSTRAINT d38_v_ab UNIQUE (a, b);
INSERT INTO d38_u VALUES (1, 'x', 1);
INSERT INTO d38_u VALUES (1, 'y', 5) ON CONFLICT ON CONSTRAINT d38_u_pkey DO UPDATE SET qty = d38_u.qty + EXCLUDED.qty RETURNING *;
INSERT INTO d38_u VALUES (2, 'x', 7) ON CONFLICT ON CONSTRAINT d38_u_code_unique DO UPDATE SET qty = EXCLUDED.qty RETURNING *;
INSERT INTO d38_u VALUES (3, 'x', 7) ON CONFLICT ON CONSTRAINT d38_u_code_unique DO NOTHING;
INSERT INTO d38_v VALUES (1, 2, 3);
INSERT INTO d38_v VALUES (1, 2, 4) ON CONFLICT ON CONSTRAINT d38_v_ab DO UPDATE SET v = EXCLUDED.v RETURNING *;
-- error: 42704
INSERT INTO d38_u VALUES (4, 'z', 1) ON CONFLICT ON CONSTRAINT d38_nope DO NOTHING;
SELECT * FROM d38_u ORDER BY id;
DROP TABLE d38_u;
DROP TABLE d38_v;
DROP TABLE d38_c;
DROP TABLE d38_p;
