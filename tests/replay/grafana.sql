-- Grafana PostgreSQL data source: the query editor's table, column and schema pickers.
-- origin: grafana/grafana public/app/plugins/datasource/grafana-postgresql-datasource/postgresMetaQuery.ts (getSchemaQuery)
SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_schema NOT IN ('information_schema', 'pg_catalog') AND table_schema NOT LIKE 'pg\_%' ORDER BY 1;
-- origin: grafana/grafana public/app/plugins/datasource/grafana-postgresql-datasource/postgresMetaQuery.ts (buildTableQuery)
SELECT quote_ident(table_name) AS "table" FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'rp\_%' ORDER BY 1;
-- origin: grafana/grafana public/app/plugins/datasource/grafana-postgresql-datasource/postgresMetaQuery.ts (getColumnsQuery)
SELECT quote_ident(column_name) AS "column", data_type AS "type" FROM information_schema.columns WHERE quote_ident(table_name) = 'rp_child' ORDER BY ordinal_position;
-- origin: grafana/grafana pkg/tsdb/grafana-postgresql-datasource/postgres.go (health check / version probe)
SELECT current_setting('server_version_num')::int/100 AS version;
-- origin: grafana/grafana public/app/plugins/datasource/grafana-postgresql-datasource/datasource.ts (timescaledb detection)
SELECT 1 FROM pg_extension WHERE extname = 'timescaledb';
