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
SELECT id FROM d03_docs WHERE doc = '{"tags": ["x", "y"], "age": 40, "name": "ann"}'::jsonb;
SELECT id, doc ? 'age' AS has_age, doc -> 'tags' ->> 0 AS first_tag, (doc - 'tags')::text AS rest FROM d03_docs WHERE doc IS NOT NULL ORDER BY id;
SELECT d.id, t.value AS tag FROM d03_docs d, jsonb_array_elements_text(d.doc -> 'tags') AS t ORDER BY d.id, tag;
DROP TABLE d03_docs;

-- jsonb values compared and printed as text: normalised input, operators, functions
SELECT '{"b": 1, "a": 2, "a": 3, "cc": {"z": 1e3, "y": -0}}'::jsonb::text AS t, '[1.50, 0.10e1, "é\u00e9"]'::jsonb::text AS u;
SELECT '{"a":1, "b":[1,2]}'::jsonb = '{"b":[1, 2],"a":1}'::jsonb AS eq, '{"a":1}'::jsonb <> '{"a":2}'::jsonb AS ne, '[1,2]'::jsonb = '[2,1]'::jsonb AS order_matters, '{"n":1.0}'::jsonb = '{"n":1}'::jsonb AS numeric_eq;
SELECT '{"a": {"n": 1.50}}'::jsonb -> 'a' ->> 'n' AS n, ('{"a": {"n": 1.50}}'::jsonb -> 'a')::text AS obj, '[10, 20, 30]'::jsonb ->> -1 AS last, '{"a":1}'::jsonb -> 'zz' IS NULL AS missing;
SELECT '{"a":{"b":[1,{"c":"x"}]}}'::jsonb #>> '{a,b,1,c}' AS deep, ('{"a":{"b":[1,2]}}'::jsonb #> '{a,b}')::text AS arr, '{"a":1}'::jsonb #>> '{a,b}' AS none;
SELECT '["a", "b"]'::jsonb ? 'b' AS in_array, '"s"'::jsonb ? 's' AS scalar, '{"a":1,"b":2}'::jsonb ?| ARRAY['x','b'] AS any_key, '{"a":1,"b":2}'::jsonb ?& ARRAY['a','b'] AS all_keys, '{"a":1}'::jsonb ?& ARRAY['a','z'] AS not_all;
SELECT '{"a":{"b":1}}'::jsonb @> '{"b":1}' AS not_deep, '[1,[2,3]]'::jsonb @> '[[3]]' AS nested, '[1,2]'::jsonb @> '1' AS raw_scalar, '{"a":1}'::jsonb <@ '{"a":1,"b":2}'::jsonb AS contained, '{"n":1.0}'::jsonb @> '{"n":1}' AS numeric_eq;
SELECT ('[1, "2"]'::jsonb || '3'::jsonb)::text AS app, ('{"a":1}'::jsonb || '[2]'::jsonb)::text AS wrap, ('{"a":1,"b":1}'::jsonb || '{"b":2}'::jsonb)::text AS merge;
SELECT ('[1,2,3]'::jsonb - 1)::text AS idx, ('[1,2,3]'::jsonb - -1)::text AS neg, ('{"a":1,"b":2,"c":3}'::jsonb - '{a,b}'::text[])::text AS keys, ('["a","b","a"]'::jsonb - 'a')::text AS str;
SELECT ('{"a":{"b":[1,2]}}'::jsonb #- '{a,b,0}')::text AS del_path, ('{"a":1}'::jsonb #- '{x,y}')::text AS no_path;
SELECT jsonb_set('{"a":[1,2]}', '{a,0}', '"x"')::text AS set_elem, jsonb_set('{"a":1}', '{b}', '2', false)::text AS no_create, jsonb_set('{"a":1}', '{b}', '{"c": [1.50]}')::text AS created, jsonb_set('[1,2]', '{5}', '3')::text AS append;
SELECT jsonb_insert('{"a":[1,2]}', '{a,1}', '9', true)::text AS after, jsonb_insert('{"a":[1,2]}', '{a,0}', '9')::text AS before, jsonb_insert('{"a":1}', '{b}', '2')::text AS new_key;
SELECT jsonb_strip_nulls('{"a":null,"b":[null,{"c":null,"d":1}]}')::text AS stripped, jsonb_pretty('{"b":{"c":[]},"a":[1,{}]}') AS pretty;
SELECT key, value FROM jsonb_each_text('{"b": 2, "a": "x", "c": null, "dd": [1.50]}') ORDER BY key;
SELECT e.key, e.value::text AS v FROM jsonb_each('{"bb": {"z": 1}, "a": 1e2}'::jsonb) AS e ORDER BY e.key;
SELECT value::text AS v FROM jsonb_array_elements('[3, {"b":1, "a":2}, null, "s"]'::jsonb) ORDER BY 1;
SELECT k FROM jsonb_object_keys('{"bb": 1, "a": 2, "ccc": 3}'::jsonb) AS k ORDER BY k;
SELECT jsonb_object_keys('{"bb": 1, "a": 2}'::jsonb) AS k ORDER BY k;
SELECT jsonb_build_object('b', 1.50, 'a', 'x', 'b', ARRAY[1,2])::text AS obj, jsonb_build_array('a', 1.50, NULL, true, '{"x":1}'::jsonb)::text AS arr, jsonb_build_object()::text AS empty;
SELECT to_jsonb('a"b\'::text)::text AS s, to_jsonb(1.50::numeric)::text AS n, to_jsonb(ARRAY['x','y'])::text AS a, to_jsonb(true)::text AS b, to_jsonb('{"b":1,"a":2}'::jsonb)::text AS j;
SELECT json_build_object('a', 1, 'b', NULL) AS obj, json_build_array(1, 'x', NULL) AS arr, json_agg(x ORDER BY x) AS agg FROM (VALUES (2), (1)) t(x);
SELECT jsonb_agg(x ORDER BY x DESC)::text AS desc_nulls, (jsonb_agg(x) FILTER (WHERE x > 1))::text AS filtered, jsonb_object_agg(k, x)::text AS obj FROM (VALUES (1, 'b'), (2, 'a'), (NULL, 'c')) t(x, k);
SELECT jsonb_typeof('{"a": 1}'::jsonb -> 'a') AS n, jsonb_array_length('{"a": [1,2]}'::jsonb -> 'a') AS len;
-- error: 22P02
SELECT '{"a": 1,}'::jsonb;
-- error: 22P02
SELECT '[NaN]'::jsonb;
-- error: 22023
SELECT '{"a":1}'::jsonb - 1;
-- error: 22023
SELECT jsonb_array_elements('{"a":1}'::jsonb);
-- error: 22023
SELECT jsonb_insert('{"a":1}', '{a}', '2');
SELECT to_jsonb(1.5::float8)::text AS f, to_jsonb('NaN'::float8)::text AS nan, to_jsonb(1e20::float8)::text AS big, to_jsonb('2024-01-02 03:04:05.5'::timestamp)::text AS ts, to_jsonb('2024-01-02'::date)::text AS d;
SELECT to_json('2024-01-02 03:04:05'::timestamp) AS ts, to_json(1e20::float8) AS big, json_build_object('f', 'Infinity'::float8, 'j', '{"b" : 1}'::json) AS o, to_json('{"b":1,"a":2}'::jsonb) AS j;
SELECT jsonb_build_object(1, 2, true, 3, 'b', 4)::text AS keys_as_text, jsonb_build_object('a', 1, 'a', 2)::text AS dup, json_build_object('a', 1, 'a', 2) AS json_dup;
SELECT g.k, count(*) AS n FROM (VALUES ('{"a": 1, "b": 2}'), ('{"b":2,"a":1}'), ('{"a": 2}')) v(doc), LATERAL (SELECT v.doc::jsonb::text AS k) g GROUP BY g.k ORDER BY g.k;
SELECT jsonb_typeof(NULL) AS t, jsonb_array_length(NULL) AS n, jsonb_extract_path('{"a":{"b":[1,2]}}', 'a', 'b')::text AS p, jsonb_extract_path_text('{"a":{"b":[1,2]}}', 'a', 'b', '1') AS pt, json_extract_path_text('{"a":"x"}', 'a') AS jt;
-- error: 22023
SELECT jsonb_array_length('{"a":1}');
-- error: 22023
SELECT jsonb_array_length('1'::jsonb);
CREATE TABLE d03_defaults (id int, doc jsonb DEFAULT '{"b": 1, "a": [1.50]}'::jsonb);
INSERT INTO d03_defaults (id) VALUES (1);
SELECT id, doc::text AS doc, doc -> 'a' ->> 0 AS a0 FROM d03_defaults;
DROP TABLE d03_defaults;
