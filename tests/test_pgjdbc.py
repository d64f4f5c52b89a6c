"""pgjdbc (Java) against the gateway, PostgreSQL 15 as the oracle: compiled and run by
tests/clients.py. DatabaseMetaData runs pgjdbc's own catalog queries (pg_class, pg_attribute,
pg_index with indkey, pg_constraint, pg_type…); the rows must be PostgreSQL's."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.clients import run_java
from tests.test_psql import psql

SMOKE = r"""
import java.sql.*;
public class JdbcSmoke {
    public static void main(String[] a) throws Exception {
        try (Connection c = DriverManager.getConnection(a[0], "postgres", "")) {
            DatabaseMetaData md = c.getMetaData();
            System.out.println(md.getDatabaseProductName() + " " + md.getDatabaseMajorVersion());
            try (PreparedStatement ps = c.prepareStatement("SELECT ?::int + 1, ?::text")) {
                ps.setInt(1, 41); ps.setString(2, "x");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    System.out.println(rs.getInt(1) + " " + rs.getString(2));
                }
            }
        }
    }
}
"""


def jdbc_url(server) -> str:
    return f"jdbc:postgresql://{server.host}:{server.port}/postgres"


def test_jdbc_connect_and_prepared_select(gateway):
    out = run_java(SMOKE, jdbc_url(gateway)).stdout.split("\n")
    assert out[0] == "PostgreSQL 15"
    assert out[1] == "42 x"


# Prints every DatabaseMetaData answer as JSON lines: {"call": ..., "rows": [{col: value}]}
METADATA = r"""
import java.sql.*;
import java.util.*;
public class JdbcMeta {
    static String q(Object o) {
        if (o == null) return "null";
        String s = o.toString().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        return "\"" + s + "\"";
    }
    static void dump(String call, ResultSet rs, Set<String> skip) throws SQLException {
        ResultSetMetaData m = rs.getMetaData();
        StringBuilder sb = new StringBuilder("{\"call\": " + q(call) + ", \"rows\": [");
        boolean first = true;
        while (rs.next()) {
            sb.append(first ? "{" : ", {");
            first = false;
            boolean f2 = true;
            for (int i = 1; i <= m.getColumnCount(); i++) {
                String name = m.getColumnLabel(i);
                if (skip.contains(name)) continue;
                sb.append(f2 ? "" : ", ").append(q(name)).append(": ").append(q(rs.getObject(i)));
                f2 = false;
            }
            sb.append("}");
        }
        sb.append("]}");
        System.out.println(sb);
        rs.close();
    }
    public static void main(String[] a) throws Exception {
        String p = a[1];
        try (Connection c = DriverManager.getConnection(a[0], "postgres", "")) {
            DatabaseMetaData md = c.getMetaData();
            Set<String> none = new HashSet<>();
            dump("getTables", md.getTables(null, "public", p + "%", new String[]{"TABLE", "VIEW"}), none);
            dump("getColumns", md.getColumns(null, "public", p + "%", "%"), none);
            dump("getPrimaryKeys", md.getPrimaryKeys(null, "public", p + "_child"), none);
            dump("getIndexInfo", md.getIndexInfo(null, "public", p + "_child", false, false),
                 new HashSet<>(Arrays.asList("CARDINALITY", "PAGES")));
            dump("getImportedKeys", md.getImportedKeys(null, "public", p + "_child"), none);
            dump("getExportedKeys", md.getExportedKeys(null, "public", p + "_parent"), none);
            dump("getSchemas", md.getSchemas(null, "p%"), none);
            dump("getTableTypes", md.getTableTypes(), none);
            // getTypeInfo: the foundation's types (PostgreSQL has hundreds more)
            ResultSet ti = md.getTypeInfo();
            StringBuilder sb = new StringBuilder("{\"call\": \"getTypeInfo\", \"rows\": [");
            Set<String> want = new HashSet<>(Arrays.asList("bool", "int2", "int4", "int8", "float4",
                "float8", "numeric", "text", "varchar", "bpchar", "bytea", "date", "time", "timestamp",
                "timestamptz", "interval", "uuid", "json", "_int4", "_text"));
            boolean first = true;
            while (ti.next()) {
                String n = ti.getString("TYPE_NAME");
                if (!want.contains(n)) continue;
                sb.append(first ? "" : ", ").append("[").append(q(n)).append(", ").append(ti.getInt("DATA_TYPE"))
                  .append(", ").append(ti.getInt("PRECISION")).append(", ").append(q(ti.getString("LITERAL_PREFIX")))
                  .append(", ").append(ti.getShort("NULLABLE")).append(", ").append(ti.getBoolean("CASE_SENSITIVE"))
                  .append(", ").append(ti.getShort("SEARCHABLE")).append(", ").append(ti.getBoolean("UNSIGNED_ATTRIBUTE"))
                  .append(", ").append(ti.getBoolean("AUTO_INCREMENT")).append("]");
                first = false;
            }
            System.out.println(sb.append("]}"));
        }
    }
}
"""

DDL = """
CREATE TABLE {p}_parent (id integer PRIMARY KEY, code varchar(20) UNIQUE NOT NULL);
CREATE TABLE {p}_child (
    id bigint PRIMARY KEY,
    parent_id integer REFERENCES {p}_parent (id),
    label text NOT NULL DEFAULT 'x',
    amount numeric(12,2),
    flag boolean,
    born date,
    seen timestamp with time zone,
    ratio double precision,
    tags integer[]
);
CREATE INDEX {p}_child_label_idx ON {p}_child (label);
CREATE UNIQUE INDEX {p}_child_born_ratio_idx ON {p}_child (born, ratio);
CREATE VIEW {p}_view AS SELECT id, label FROM {p}_child;
COMMENT ON TABLE {p}_child IS 'child rows';
COMMENT ON COLUMN {p}_child.label IS 'the label';
"""


@pytest.fixture
def jdbc_schema(pg, gateway):
    p = f"j{uuid.uuid4().hex[:8]}"
    for server in (pg, gateway):
        r = psql(server.dsn, "-q", stdin=DDL.format(p=p))
        assert r.returncode == 0, r.stderr
    yield p
    for server in (pg, gateway):
        psql(server.dsn, "-q", "-c", f"DROP VIEW {p}_view; DROP TABLE {p}_child; DROP TABLE {p}_parent")


def _calls(out: str) -> dict:
    return {d["call"]: d["rows"] for d in map(json.loads, out.splitlines())}


# Values that must differ: object OIDs (none appear here) and what DuckDB does not keep.
def _normalise(call: str, rows):
    return rows


def test_jdbc_database_metadata(pg, gateway, jdbc_schema):
    exp = _calls(run_java(METADATA, jdbc_url(pg), jdbc_schema).stdout)
    got = _calls(run_java(METADATA, jdbc_url(gateway), jdbc_schema).stdout)
    assert len(exp["getColumns"]) == 13 and len(exp["getIndexInfo"]) == 4
    for call in exp:
        assert _normalise(call, got[call]) == _normalise(call, exp[call]), call


SETTERS = r"""
import java.sql.*;
import java.math.BigDecimal;
import java.util.*;
public class JdbcSetters {
    public static void main(String[] a) throws Exception {
        String t = a[1];
        try (Connection c = DriverManager.getConnection(a[0], "postgres", "")) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE " + t + " (b boolean, i2 smallint, i4 integer, i8 bigint, f4 real, "
                    + "f8 double precision, n numeric(12,3), tx text, vc varchar, by bytea, d date, tm time, "
                    + "ts timestamp, tz timestamptz, u uuid, j json, ai integer[], at text[])");
            }
            String ins = "INSERT INTO " + t + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json, ?, ?)";
            try (PreparedStatement ps = c.prepareStatement(ins)) {
                for (int k = 0; k < 3; k++) {
                    ps.setBoolean(1, k % 2 == 0);
                    ps.setShort(2, (short) (k - 32768 + 1));
                    ps.setInt(3, 2147483647 - k);
                    ps.setLong(4, -9223372036854775807L + k);
                    ps.setFloat(5, 1.5f + k);
                    ps.setDouble(6, 0.1 * (k + 1));
                    ps.setBigDecimal(7, new BigDecimal("12345.678").add(BigDecimal.valueOf(k)));
                    ps.setString(8, "héllo " + k);
                    ps.setString(9, "v" + k);
                    ps.setBytes(10, new byte[]{0, (byte) 255, (byte) k});
                    ps.setDate(11, java.sql.Date.valueOf("2024-02-2" + (k + 1)));
                    ps.setTime(12, java.sql.Time.valueOf("13:45:0" + k));
                    ps.setTimestamp(13, java.sql.Timestamp.valueOf("2024-02-29 13:45:56.5"));
                    ps.setObject(14, java.time.OffsetDateTime.parse("2024-02-29T13:45:56.5+02:00"));
                    ps.setObject(15, UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1" + k));
                    ps.setString(16, "{\"k\": " + k + "}");
                    ps.setArray(17, c.createArrayOf("int4", new Integer[]{k, null, 3}));
                    ps.setArray(18, c.createArrayOf("text", new String[]{"a,b", "c\"d", null}));
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                System.out.println("batch " + Arrays.toString(counts));
            }
            try (PreparedStatement ps = c.prepareStatement(ins)) {
                for (int i = 1; i <= 18; i++) ps.setNull(i, Types.NULL);
                System.out.println("nulls " + ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + t + " WHERE i4 <= ? OR i4 IS NULL ORDER BY i4 NULLS LAST")) {
                ps.setInt(1, 2147483647);
                try (ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData m = rs.getMetaData();
                    StringBuilder types = new StringBuilder("types");
                    for (int i = 1; i <= m.getColumnCount(); i++) types.append(" ").append(m.getColumnTypeName(i));
                    System.out.println(types);
                    while (rs.next()) {
                        StringBuilder sb = new StringBuilder("row");
                        for (int i = 1; i <= m.getColumnCount(); i++) {
                            Object o = rs.getObject(i);
                            if (o instanceof byte[]) o = Arrays.toString((byte[]) o);
                            if (o instanceof java.sql.Array) o = Arrays.deepToString((Object[]) ((java.sql.Array) o).getArray());
                            sb.append(" | ").append(o);
                        }
                        System.out.println(sb);
                    }
                }
            }
            try (Statement st = c.createStatement()) { st.execute("DROP TABLE " + t); }
        }
    }
}
"""


def test_jdbc_prepared_setters_and_batch(pg, gateway):
    t = f"jset_{uuid.uuid4().hex[:8]}"
    exp = run_java(SETTERS, jdbc_url(pg), t).stdout
    got = run_java(SETTERS, jdbc_url(gateway), t).stdout
    assert "batch [1, 1, 1]" in exp and exp.count("\nrow") == 4
    # the varchar column is varchar as declared (gateway/engine/column_types.py)
    assert got == exp
