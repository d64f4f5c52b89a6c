-- Metabase (PostgreSQL driver): connection setup and sync (describe-database / describe-table).
-- origin: metabase/metabase src/metabase/driver/postgres.clj (connection details: extra_float_digits, application name) via pgjdbc
SET extra_float_digits = 2;
-- origin: metabase/metabase src/metabase/driver/sql_jdbc/connection.clj (isolation level probe, via pgjdbc Connection.getTransactionIsolation)
SHOW TRANSACTION ISOLATION LEVEL;
-- origin: metabase/metabase src/metabase/driver/postgres.clj (describe-database*: tables with row estimates and comments)
SELECT n.nspname AS schema, c.relname AS name,
  CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END AS type,
  d.description AS description, stat.n_live_tup AS estimated_row_count
FROM pg_catalog.pg_class c
INNER JOIN pg_catalog.pg_namespace n ON c.relnamespace = n.oid
LEFT JOIN pg_catalog.pg_description d ON c.oid = d.objoid AND d.objsubid = 0 AND d.classoid = 'pg_class'::regclass
LEFT JOIN pg_stat_user_tables stat ON n.nspname = stat.schemaname AND c.relname = stat.relname
WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'f', 'm')
  AND n.nspname !~ '^information_schema$' AND n.nspname <> 'pg_catalog'
  AND has_schema_privilege(n.nspname, 'USAGE')
  AND (has_table_privilege(quote_ident(n.nspname) || '.' || quote_ident(c.relname), 'SELECT')
       OR has_any_column_privilege(quote_ident(n.nspname) || '.' || quote_ident(c.relname), 'SELECT'))
  AND c.relname LIKE 'rp\_%'
ORDER BY 1, 2;
-- origin: pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/jdbc/PgDatabaseMetaData.java (getSchemas, which Metabase's sync calls)
SELECT nspname AS TABLE_SCHEM, NULL AS TABLE_CATALOG FROM pg_catalog.pg_namespace  WHERE nspname <> 'pg_toast' AND (nspname !~ '^pg_temp_'  OR nspname = (pg_catalog.current_schemas(true))[1]) AND (nspname !~ '^pg_toast_temp_'  OR nspname = replace((pg_catalog.current_schemas(true))[1], 'pg_temp_', 'pg_toast_temp_'))  ORDER BY TABLE_SCHEM;
-- origin: metabase/metabase src/metabase/driver/postgres.clj (describe-fields: columns with types and comments)
SELECT c.column_name AS name, c.udt_name AS database_type, c.ordinal_position - 1 AS database_position,
  c.table_schema AS table_schema, c.table_name AS table_name,
  pk.column_name IS NOT NULL AS pk, col_description((quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass::oid, c.ordinal_position) AS field_comment,
  (column_default IS NULL AND is_nullable = 'NO' AND NOT (column_default IS NOT NULL AND column_default LIKE '%nextval(%')) AS database_required,
  column_default IS NOT NULL AND column_default LIKE '%nextval(%' AS database_is_auto_increment
FROM information_schema.columns c
LEFT JOIN (SELECT tc.table_schema, tc.table_name, kc.column_name FROM information_schema.table_constraints tc
           INNER JOIN information_schema.key_column_usage kc ON tc.constraint_name = kc.constraint_name
             AND tc.table_schema = kc.table_schema AND tc.table_name = kc.table_name
           WHERE tc.constraint_type = 'PRIMARY KEY') pk
  ON c.table_schema = pk.table_schema AND c.table_name = pk.table_name AND c.column_name = pk.column_name
WHERE c.table_schema = 'public' AND c.table_name LIKE 'rp\_%'
ORDER BY c.table_name, c.ordinal_position;
