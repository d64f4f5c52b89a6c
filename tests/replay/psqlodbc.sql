-- psqlODBC (Tableau's and Power BI's ODBC path): connect-time settings and catalog functions.
-- origin: postgresql-interfaces/psqlodbc connection.c (CC_connect: session setup)
set DateStyle to 'ISO';
-- origin: postgresql-interfaces/psqlodbc connection.c (CC_connect: extra_float_digits)
set extra_float_digits to 2;
-- origin: postgresql-interfaces/psqlodbc connection.c (CC_lookup_lo: large-object type lookup)
select oid, typbasetype from pg_type where typname = 'lo';
-- origin: postgresql-interfaces/psqlodbc connection.c (CC_lookup_characterset)
select pg_client_encoding();
-- origin: postgresql-interfaces/psqlodbc info.c (PGAPI_Tables: SQLTables for tables and views)
select relname, nspname, relkind from pg_catalog.pg_class c, pg_catalog.pg_namespace n where relkind in ('r', 'v', 'p') and nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'pg_temp_1') and n.oid = relnamespace and relname like 'rp\_%' order by nspname, relname;
-- origin: postgresql-interfaces/psqlodbc info.c (PGAPI_Columns: SQLColumns; relhasoids, gone since PostgreSQL 12, as false)
select n.nspname, c.relname, a.attname, a.atttypid, t.typname, a.attnum, a.attlen, a.atttypmod, a.attnotnull, c.relhasrules, c.relkind, c.oid, pg_get_expr(d.adbin, d.adrelid), case t.typtype when 'd' then t.typbasetype else 0 end, t.typtypmod, false, '', c.relhassubclass
from (((pg_catalog.pg_class c inner join pg_catalog.pg_namespace n on n.oid = c.relnamespace and c.relname = 'rp_child' and n.nspname = 'public') inner join pg_catalog.pg_attribute a on (not a.attisdropped) and a.attnum > 0 and a.attrelid = c.oid) inner join pg_catalog.pg_type t on t.oid = a.atttypid) left outer join pg_attrdef d on a.atthasdef and d.adrelid = a.attrelid and d.adnum = a.attnum
order by n.nspname, c.relname, attnum;
-- origin: postgresql-interfaces/psqlodbc info.c (PGAPI_PrimaryKeys)
select ta.attname, ia.attnum, ic.relname, n.nspname, tc.relname from pg_catalog.pg_attribute ta, pg_catalog.pg_attribute ia, pg_catalog.pg_class tc, pg_catalog.pg_index i, pg_catalog.pg_namespace n, pg_catalog.pg_class ic where tc.relname = 'rp_child' AND n.nspname = 'public' AND tc.oid = i.indrelid AND n.oid = tc.relnamespace AND i.indisprimary = 't' AND ia.attrelid = i.indexrelid AND ta.attrelid = i.indrelid AND ta.attnum = i.indkey[ia.attnum-1] AND (NOT ta.attisdropped) AND (NOT ia.attisdropped) AND ic.oid = i.indexrelid order by ia.attnum;
