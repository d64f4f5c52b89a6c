"""pgjdbc (Java) against the gateway: compiled and run by tests/clients.py."""

from __future__ import annotations

from tests.clients import run_java

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


def test_jdbc_connect_and_prepared_select(gateway):
    url = f"jdbc:postgresql://{gateway.host}:{gateway.port}/postgres"
    out = run_java(SMOKE, url).stdout.split("\n")
    assert out[0] == "PostgreSQL 15"
    assert out[1] == "42 x"
