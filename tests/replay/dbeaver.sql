-- DBeaver (PostgreSQL plugin) connect-time and navigator queries.
-- origin: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDataSource.java (initialize: current schema and user)
SELECT current_schema(),session_user;
-- origin: dbeaver/dbeaver .../postgresql/model/PostgreDatabase.java (SchemaCache.prepareLookupStatement)
SELECT n.oid,n.*,d.description FROM pg_catalog.pg_namespace n
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=n.oid AND d.objsubid=0 AND d.classoid='pg_namespace'::regclass
 ORDER BY nspname;
-- origin: dbeaver/dbeaver .../postgresql/model/PostgreDatabase.java (readDatabaseInfo: the database row)
SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE datname=current_database();
-- origin: dbeaver/dbeaver .../postgresql/model/PostgreDataSource.java (readServerSettings)
select * from pg_catalog.pg_settings where name='standard_conforming_strings';
-- origin: dbeaver/dbeaver .../postgresql/model/PostgreDatabase.java (RoleCache)
SELECT a.oid,a.* FROM pg_catalog.pg_roles a ORDER BY a.rolname;
-- origin: dbeaver/dbeaver .../postgresql/model/PostgreSchema.java (TableCache.prepareLookupStatement)
SELECT c.oid,c.*,d.description,pg_catalog.pg_get_expr(c.relpartbound, c.oid) as partition_expr,  pg_catalog.pg_get_partkeydef(c.oid) as partition_key 
FROM pg_catalog.pg_class c
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_class'::regclass
WHERE c.relnamespace=(SELECT oid FROM pg_catalog.pg_namespace WHERE nspname='public') AND c.relkind not in ('i','I','c') AND c.relname LIKE 'rp\_%';
-- origin: dbeaver/dbeaver .../postgresql/model/PostgreTableBase.java (attribute cache)
SELECT c.relname,a.*,pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value,dsc.description
FROM pg_catalog.pg_attribute a
INNER JOIN pg_catalog.pg_class c ON (a.attrelid=c.oid)
LEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid=ad.adrelid AND a.attnum = ad.adnum)
LEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)
WHERE NOT a.attisdropped AND c.oid='rp_child'::regclass AND a.attnum > 0 ORDER BY a.attnum;
-- origin: dbeaver/dbeaver .../postgresql/model/PostgreSchema.java (ConstraintCache)
SELECT c.oid,c.*,t.relname as tabrelname,rt.relnamespace as refnamespace,d.description, case when c.contype='c' then "substring"(pg_get_constraintdef(c.oid), 7) end as consrc_copy
FROM pg_catalog.pg_constraint c
INNER JOIN pg_catalog.pg_class t ON t.oid=c.conrelid
LEFT OUTER JOIN pg_catalog.pg_class rt ON rt.oid=c.confrelid
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_constraint'::regclass
WHERE t.relname LIKE 'rp\_%'
ORDER BY c.oid;
-- origin: dbeaver/dbeaver .../postgresql/model/PostgreSchema.java (IndexCache)
SELECT i.*,i.indkey as keys,c.relname,c.relnamespace,c.relam,c.reltablespace,tc.relname as tabrelname,dsc.description,pg_catalog.pg_get_expr(i.indpred, i.indrelid) as pred_expr,pg_catalog.pg_get_expr(i.indexprs, i.indrelid, true) as expr,pg_catalog.pg_relation_size(i.indexrelid) as index_rel_size,pg_catalog.pg_stat_get_numscans(i.indexrelid) as index_num_scans
FROM pg_catalog.pg_index i
INNER JOIN pg_catalog.pg_class c ON c.oid=i.indexrelid
INNER JOIN pg_catalog.pg_class tc ON tc.oid=i.indrelid
LEFT OUTER JOIN pg_catalog.pg_description dsc ON i.indexrelid=dsc.objoid
WHERE tc.relname LIKE 'rp\_%' ORDER BY tabrelname, c.relname;
