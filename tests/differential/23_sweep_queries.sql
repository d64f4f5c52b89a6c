-- Query forms reports and apps use: LIKE/ILIKE ANY/ALL over arrays, regexp_matches(…, 'g'),
-- sha256 (and sha512 refused rather than computed as sha256).

CREATE TABLE d23_l (g text);
INSERT INTO d23_l VALUES ('abc'), ('zz'), ('Qq'), (NULL);
SELECT g FROM d23_l WHERE g ILIKE ANY (ARRAY['A%', 'z%']) ORDER BY g;
SELECT g, g LIKE ALL (ARRAY['%b%', 'a%']), g NOT LIKE ANY (ARRAY['a%', 'z%']) FROM d23_l ORDER BY g;
SELECT g FROM d23_l WHERE g LIKE ANY ('{%q,%c}') ORDER BY g;
-- extended
SELECT regexp_matches('a1b22c333', '[0-9]+', 'g');
SELECT regexp_matches('A1a2', 'a[0-9]', 'gi');
-- extended
SELECT sha256('abc'::bytea), md5('abc');
-- diff: sqlstate,names,types,typmods,rows,tag reason: DuckDB has only sha256; sha512 is refused with 0A000 (sqlglot wrote SHA256 for it)
SELECT sha512('abc'::bytea);
DROP TABLE d23_l;
