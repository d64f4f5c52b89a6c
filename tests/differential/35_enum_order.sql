-- An enum column compared with a quoted constant orders by the type's labels, not
-- alphabetically (DuckDB alone casts the enum to text: 'happy' < 'sad').

CREATE TYPE d35_mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE d35_t (id int, m d35_mood, note text);
INSERT INTO d35_t VALUES (1, 'ok', 'a'), (2, 'happy', 'b'), (3, 'sad', 'c'), (4, NULL, 'd');
-- extended
SELECT id FROM d35_t WHERE m > 'sad' ORDER BY id;
-- extended
SELECT id FROM d35_t WHERE m <= 'ok' ORDER BY id;
-- extended
SELECT id FROM d35_t WHERE 'ok' < m ORDER BY id;
-- extended
SELECT id FROM d35_t WHERE m BETWEEN 'sad' AND 'ok' ORDER BY id;
-- extended
SELECT id FROM d35_t WHERE m NOT BETWEEN 'ok' AND 'happy' ORDER BY id;
-- extended
SELECT t.id, u.note FROM d35_t t JOIN d35_t u ON u.id = t.id WHERE t.m >= 'ok' ORDER BY 1;
-- extended
SELECT id, m > 'ok' AS above FROM d35_t ORDER BY id;
-- extended
SELECT id FROM d35_t WHERE m IN ('ok', 'happy') ORDER BY id;
-- extended
SELECT id FROM d35_t WHERE note > 'a' AND m < 'happy' ORDER BY id;
-- extended
-- diff: types reason: enum values are described as text (OID 25), not as the enum type
SELECT min(m), max(m) FROM d35_t;
-- extended
SELECT id FROM d35_t ORDER BY m, id;
UPDATE d35_t SET note = 'up' WHERE m > 'ok';
DELETE FROM d35_t WHERE m < 'ok' RETURNING id;
-- diff: types reason: enum values are described as text (OID 25), not as the enum type
SELECT id, m, note FROM d35_t ORDER BY id;
DROP TABLE d35_t;
DROP TYPE d35_mood;
