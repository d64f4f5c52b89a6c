-- The tableoid system column of the catalog relations (psql's \dd and \dL join
-- pg_description.classoid on it), encoding functions, and the built-in objects' comments.

SELECT n.tableoid, n.nspname::text FROM pg_catalog.pg_namespace n WHERE n.nspname = 'public';
SELECT tableoid, count(*) > 0 AS some FROM pg_namespace GROUP BY tableoid;
SELECT c.tableoid::regclass::text, c.relname::text FROM pg_class c WHERE c.relname = 'pg_class';
SELECT tableoid::int + 0 AS classoid FROM pg_catalog.pg_proc WHERE proname = 'now';
SELECT con.tableoid = 'pg_constraint'::regclass AS same FROM pg_constraint con LIMIT 1;
SELECT getdatabaseencoding(), pg_client_encoding();
SELECT pg_catalog.getdatabaseencoding();
SELECT d.description FROM pg_description d JOIN pg_namespace n ON d.objoid = n.oid AND d.classoid = n.tableoid WHERE n.nspname IN ('public', 'pg_catalog') ORDER BY 1;
SELECT obj_description(n.oid, 'pg_namespace') FROM pg_namespace n WHERE n.nspname = 'public';
SELECT l.lanname::text, d.description FROM pg_language l LEFT JOIN pg_description d ON d.classoid = l.tableoid AND d.objoid = l.oid ORDER BY 1;
SELECT current_user, session_user, current_database() = current_catalog AS same_db, current_schema(), current_schema, user, current_role;
SELECT current_catalog = current_database() AS x, upper(current_catalog) = upper(current_database()) AS y;
SELECT length(current_user) > 0 AS has_user, user = current_user AS same;
SELECT n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = 'pg_class';
SELECT nspname FROM pg_namespace WHERE nspname = 'public';
SELECT t.typname, t.typname::text AS as_text, t.typname || '' AS concatenated FROM pg_type t WHERE t.oid = 23;
SELECT proname FROM pg_proc WHERE proname = 'now';
SELECT pg_postmaster_start_time() <= now() AS started_before, now() - pg_postmaster_start_time() >= interval '0' AS uptime_known, pg_conf_load_time() IS NOT NULL AS loaded;
SELECT count(*) = count(DISTINCT oid) AS unique_oids FROM pg_proc;
SELECT count(*) AS multiplied FROM (SELECT t.oid FROM pg_type t LEFT JOIN pg_proc p ON p.oid = t.typreceive GROUP BY t.oid HAVING count(*) > 1) x;
SELECT p.proname::text FROM pg_type t JOIN pg_proc p ON p.oid = t.typreceive WHERE t.typname IN ('int4', '_int4') ORDER BY 1;
