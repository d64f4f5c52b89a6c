-- pgAdmin 4: connect-time and browser-tree queries (Jinja templates rendered for PostgreSQL 15).
-- origin: pgadmin-org/pgadmin4 web/pgadmin/browser/server_groups/servers/templates/connect/sql/default/check_recovery.sql
SELECT CASE WHEN usesuper THEN pg_catalog.pg_is_in_recovery() ELSE FALSE END as inrecovery,
  CASE WHEN usesuper AND pg_catalog.pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE FALSE END as isreplaypaused
FROM pg_catalog.pg_user WHERE usename=current_user;
-- origin: pgadmin-org/pgadmin4 web/pgadmin/browser/server_groups/servers/databases/templates/databases/sql/default/nodes.sql
SELECT db.oid as did, db.datname as name, ta.spcname as spcname, db.datallowconn,
  pg_catalog.has_database_privilege(db.oid, 'CREATE') as cancreate, datdba as owner, db.datistemplate,
  pg_catalog.pg_encoding_to_char(db.encoding) as serverencoding
FROM pg_catalog.pg_database db
LEFT OUTER JOIN pg_catalog.pg_tablespace ta ON db.dattablespace = ta.oid
WHERE db.datname = current_database()
ORDER BY datname;
-- origin: pgadmin-org/pgadmin4 web/pgadmin/browser/server_groups/servers/roles/templates/roles/sql/default/nodes.sql
SELECT r.oid, r.rolname, r.rolcanlogin, r.rolsuper, pg_catalog.shobj_description(r.oid, 'pg_authid') AS description
FROM pg_catalog.pg_roles r ORDER BY r.rolcanlogin, r.rolname;
-- origin: pgadmin-org/pgadmin4 web/pgadmin/browser/server_groups/servers/databases/schemas/templates/schemas/pg/default/sql/nodes.sql
SELECT nsp.oid, nsp.nspname as name,
  pg_catalog.has_schema_privilege(nsp.oid, 'CREATE') as can_create,
  pg_catalog.has_schema_privilege(nsp.oid, 'USAGE') as has_usage,
  des.description
FROM pg_catalog.pg_namespace nsp
LEFT OUTER JOIN pg_catalog.pg_description des ON (des.objoid=nsp.oid AND des.classoid='pg_namespace'::regclass)
WHERE nspname NOT LIKE E'pg\\_%' AND NOT (nspname = 'information_schema')
ORDER BY nspname;
-- origin: pgadmin-org/pgadmin4 web/pgadmin/browser/server_groups/servers/databases/schemas/tables/templates/tables/sql/default/nodes.sql
SELECT rel.oid, rel.relname AS name,
  (SELECT count(*) FROM pg_catalog.pg_trigger WHERE tgrelid=rel.oid AND tgisinternal = FALSE) AS triggercount,
  (SELECT count(*) FROM pg_catalog.pg_trigger WHERE tgrelid=rel.oid AND tgisinternal = FALSE AND tgenabled = 'O') AS has_enable_triggers,
  (CASE WHEN rel.relkind = 'p' THEN true ELSE false END) AS is_partitioned,
  (SELECT count(1) FROM pg_catalog.pg_inherits WHERE inhrelid=rel.oid LIMIT 1) as is_inherits,
  (SELECT count(1) FROM pg_catalog.pg_inherits WHERE inhparent=rel.oid LIMIT 1) as is_inherited,
  des.description
FROM pg_catalog.pg_class rel
LEFT OUTER JOIN pg_catalog.pg_description des ON (des.objoid=rel.oid AND des.objsubid=0 AND des.classoid='pg_class'::regclass)
WHERE rel.relkind IN ('r','s','t','p') AND rel.relnamespace = 2200::oid AND rel.relname LIKE 'rp\_%'
AND NOT rel.relispartition
ORDER BY rel.relname;
-- origin: pgadmin-org/pgadmin4 web/pgadmin/browser/server_groups/servers/databases/schemas/tables/columns/templates/columns/sql/default/nodes.sql
SELECT att.attname as name, att.atttypid, att.attnum, pg_catalog.format_type(ty.oid,NULL) AS typname,
  att.attnotnull as not_null, att.atthasdef as has_default_val, des.description
FROM pg_catalog.pg_attribute att
  JOIN pg_catalog.pg_type ty ON ty.oid=atttypid
  LEFT OUTER JOIN pg_catalog.pg_description des ON (des.objoid=att.attrelid AND des.objsubid=att.attnum AND des.classoid='pg_class'::regclass)
WHERE att.attrelid = 'rp_child'::regclass AND att.attnum > 0 AND att.attisdropped IS FALSE
ORDER BY att.attnum;
