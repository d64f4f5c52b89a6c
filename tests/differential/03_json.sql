-- json and jsonb: output forms, operators, builders, aggregates, a jsonb column.

SELECT '{"a": {"b": [10, 20]}}'::jsonb -> 'a' AS obj, '{"a": {"b": [10, 20]}}'::jsonb -> 'a' -> 'b' -> 1 AS elem;
SELECT '{"a": "x", "n": 1.50}'::jsonb ->> 'a' AS txt, '{"a": "x", "n": 1.50}'::jsonb ->> 'n' AS num, '{"a": null}'::jsonb ->> 'a' AS jnull;
SELECT '{"a": {"b": [10, 20]}}'::jsonb #>> '{a,b,0}' AS path_text, '{"a": {"b": [10, 20]}}'::jsonb #> '{a,b}' AS path_json;
SELECT '{"a": 1}'::json -> 'a' AS j, '{"a": 1}'::json ->> 'a' AS t, '[1,2,3]'::json -> 2 AS third;
SELECT jsonb_typeof('{"a":1}') AS o, jsonb_typeof('[1]') AS a, jsonb_typeof('1') AS n, jsonb_typeof('"s"') AS s, jsonb_typeof('null') AS z;
SELECT '{"a":1,"b":2}'::jsonb @> '{"a":1}' AS contains, '{"a":1}'::jsonb ? 'a' AS has_key, '{"a":1}'::jsonb ? 'z' AS no_key;
SELECT jsonb_build_object('k', 1, 'arr', ARRAY[1,2], 'n', NULL) AS obj, jsonb_build_array(1, 'two', true, NULL) AS arr;
SELECT json_build_object('k', 1, 'b', 'x') AS obj, to_jsonb('text'::text) AS t, to_jsonb(1.5) AS n, to_json(ARRAY[1,2]) AS a;
SELECT '{"a":1}'::jsonb || '{"b":2}'::jsonb AS merged, '{"a":1,"b":2}'::jsonb - 'a' AS removed;
SELECT jsonb_array_length('[1,2,3]') AS len, json_array_length('[]') AS zero;
SELECT key, value FROM jsonb_each('{"b": 2, "a": [1]}'::jsonb) ORDER BY key;
SELECT value FROM jsonb_array_elements_text('["x", "y", null]'::jsonb) AS t(value);
SELECT jsonb_pretty('{"a":[1,2]}') AS pretty;
SELECT '{"a":1}'::jsonb = '{ "a" : 1 }'::jsonb AS eq, '{"a":1}'::json::text AS json_text;

CREATE TABLE d03_docs (id int PRIMARY KEY, doc jsonb, raw json);
INSERT INTO d03_docs VALUES (1, '{"name": "ann", "tags": ["x", "y"], "age": 31}', '{"name":"ann"}'), (2, '{"name": "bob", "tags": [], "age": null}', '[1, 2]'), (3, NULL, NULL);
SELECT id, doc, raw FROM d03_docs ORDER BY id;
SELECT id, doc ->> 'name' AS name, (doc ->> 'age')::int AS age, jsonb_array_length(doc -> 'tags') AS ntags FROM d03_docs ORDER BY id;
SELECT doc ->> 'name' AS name FROM d03_docs WHERE doc @> '{"tags": ["x"]}';
SELECT jsonb_agg(doc ->> 'name' ORDER BY id) AS names, json_agg(id ORDER BY id) AS ids FROM d03_docs;
SELECT jsonb_object_agg(doc ->> 'name', id) AS m FROM d03_docs WHERE doc IS NOT NULL;
UPDATE d03_docs SET doc = jsonb_set(doc, '{age}', '40') WHERE id = 1;
SELECT doc FROM d03_docs WHERE id = 1;
DROP TABLE d03_docs;
