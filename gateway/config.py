"""The one configuration model: dataforge.toml + DATAFORGE_* environment + command-line flags.

Precedence (highest first): flags, environment, config file, defaults. Every field here is
documented in README.md's configuration table.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict


AUTH_METHODS = ("scram-sha-256", "md5", "password", "trust", "reject")


class HostRule(BaseModel):
    """One pg_hba-like line: which clients may connect, and how they authenticate.
    The first rule that matches the connection wins; no match refuses it (28000)."""

    model_config = {"extra": "forbid"}
    type: Literal["host", "hostssl", "hostnossl"] = "host"
    address: str = "all"  # CIDR ('10.0.0.0/8', '::1/128'), a single address, or 'all'
    user: str = "all"  # a user name, comma-separated names, or 'all'
    method: Literal["scram-sha-256", "md5", "password", "trust", "reject"] = "scram-sha-256"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DATAFORGE_", extra="forbid")

    host: str = Field("127.0.0.1", description="Address to listen on.")
    port: int = Field(5432, description="TCP port to listen on.")
    database: str = Field(
        "./data/dataforge.duckdb",
        description="DuckDB database file (':memory:' for a throwaway in-memory database).",
    )
    readers: int = Field(0, description="Reader pool size; 0 means the number of CPU cores.")
    reader_queue: int = Field(
        256, description="Reads that may wait for a free reader before new ones fail with 53300."
    )
    threads: int = Field(0, description="DuckDB worker threads; 0 lets DuckDB decide.")
    memory_limit: str = Field("", description="DuckDB memory_limit, e.g. '4GB'; empty = DuckDB default.")
    temp_directory: str = Field("", description="DuckDB spill directory; empty = next to the database.")
    max_connections: int = Field(100, description="Connections beyond this are refused with 53300.")
    max_message_size: int = Field(
        64 * 1024 * 1024, description="Largest frontend message accepted, in bytes."
    )
    batch_rows: int = Field(16384, description="Rows per Arrow batch when streaming results.")
    statement_timeout_ms: int = Field(0, description="Default statement_timeout (0 = none).")
    idle_in_transaction_timeout_ms: int = Field(
        0, description="Default idle_in_transaction_session_timeout (0 = none)."
    )
    lock_timeout_ms: int = Field(
        0, description="Default lock_timeout: how long a transaction waits for the writer (0 = forever)."
    )
    group_commit_max: int = Field(
        1024, description="Most queued autocommit writes committed in one DuckDB transaction."
    )
    shutdown_grace_s: float = Field(
        5.0, description="On SIGTERM, how long running statements may finish before they are cancelled."
    )
    log_level: str = Field("INFO", description="Python logging level.")
    log_statements: bool = Field(False, description="Log one line per statement.")
    log_min_duration_ms: int = Field(
        -1, description="Log statements that ran at least this long, even without log_statements (-1 = off)."
    )
    # ---- security and operations (README: Security, Operations)
    auth: Literal["", "scram-sha-256", "md5", "password", "trust"] = Field(
        "", description="Authentication method; empty: scram-sha-256 with a users file, else trust (loopback only)."
    )
    users: str = Field("", description="Users file written by `dataforge users add` (hashed verifiers, roles).")
    host_rules: list[HostRule] = Field(
        default_factory=list, description="pg_hba-like rules: [{type, address, user, method}], first match wins."
    )
    authentication_timeout_s: float = Field(60.0, description="Seconds a client has to finish startup and authentication.")
    idle_session_timeout_ms: int = Field(0, description="Default idle_session_timeout: close idle sessions (0 = never).")
    ssl: Literal["off", "allow", "require"] = Field(
        "allow", description="TLS: 'allow' upgrades clients that ask (needs cert+key), 'require' refuses plaintext."
    )
    ssl_cert_file: str = Field("", description="Server certificate (PEM) for TLS.")
    ssl_key_file: str = Field("", description="Server private key (PEM) for TLS.")
    metrics_port: int = Field(0, description="HTTP port for /metrics and /healthz (0 = off).")
    metrics_host: str = Field("127.0.0.1", description="Address the /metrics and /healthz listener binds to.")
    schemas: str = Field(
        "./schemas", description="Schema directory (*.yaml, *.py) of the managed tables; empty = no catalog."
    )
    catalog_mode: Literal["open", "strict"] = Field(
        "open", description="strict: DDL on managed tables and CREATE TABLE of unmanaged ones fail with 42501."
    )
    catalog_allow_destructive: bool = Field(
        False, description="Start (and apply) even when the schema files drop columns/tables or narrow types."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    def reader_count(self) -> int:
        return self.readers or max(2, os.cpu_count() or 2)


_CONFIG_PATH: Path | None = None


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the [gateway] table (or the top level) of the config file given by --config."""

    def get_field_value(self, field, field_name):  # pragma: no cover - required by the ABC
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = _CONFIG_PATH
        if path is None:
            env = os.environ.get("DATAFORGE_CONFIG")
            path = Path(env) if env else None
        if path is None:
            default = Path("dataforge.toml")
            path = default if default.exists() else None
        if path is None:
            return {}
        with open(path, "rb") as f:
            data = tomllib.load(f)
        out = dict(data.get("gateway", data))
        # a [catalog] table (catalog.mode = "strict") is the catalog_* settings
        section = out.pop("catalog", None) or data.get("catalog")
        if isinstance(section, dict):
            out.update({f"catalog_{k}": v for k, v in section.items()})
        return out


def load_settings(config: str | None = None, **overrides: Any) -> Settings:
    """Build Settings from the config file, the environment and explicit overrides (flags)."""
    global _CONFIG_PATH
    _CONFIG_PATH = Path(config) if config else None
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    finally:
        _CONFIG_PATH = None
