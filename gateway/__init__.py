"""Data Forge Gateway: a PostgreSQL-wire-compatible SQL gateway in front of DuckDB."""
__version__ = "0.1.0"
