"""Statement validation against the catalog, from the statement's one sqlglot tree.

Only statements that name managed tables are checked; everything else (unmanaged tables,
pg_catalog, table functions…) goes to DuckDB untouched. For those that are:
- a table name that is neither managed nor live but close to a managed one → 42P01 + hint;
- a column a managed table does not have → 42703 + "did you mean" hint (SELECTs are resolved
  with sqlglot's qualify against a MappingSchema of the catalog, so CTEs, aliases and
  subqueries are understood; INSERT/UPDATE/DELETE columns are looked up in their tables);
- `access` and `append_only` → 42501 'permission denied for table X';
- catalog mode `strict`: DDL on managed tables, and creating tables no schema file declares → 42501.

A verdict depends on the statement text, the session's principals (user + roles) and the live
table names (DDL changes them), and is cached on those: a repeated statement costs one dict lookup.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import re
from collections import OrderedDict
from typing import Any

from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

from gateway.errors import PgError

from .models import Catalog, Table

log = logging.getLogger("dataforge.catalog")

STRICT = "strict"
OPEN = "open"
MODES = (OPEN, STRICT)

_CACHE_MAX = 4096
_RESOLVE = re.compile(r"Column '(?P<n>[^']+)' could not be resolved")
_UNKNOWN_COL = re.compile(r"Unknown column: (?P<n>\S+)")
# unquoted words PostgreSQL reads as functions, which sqlglot may hand over as columns
_KEYWORD_VALUES = {"current_date", "current_timestamp", "current_time", "current_user", "session_user", "user",
                   "current_role", "current_catalog", "current_schema", "localtime", "localtimestamp"}
_WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.TruncateTable)


class Validator:
    """The catalog as the query path sees it. `check()` is the hook the session calls."""

    def __init__(self, catalog: Catalog, mode: str = OPEN, db: Any = None):
        self.catalog = catalog
        self.tables: dict[str, Table] = catalog.tables
        self.strict = mode == STRICT
        self.db = db
        self.schema = MappingSchema(
            {name: {c.name: "text" for c in t.columns} for name, t in self.tables.items()}, dialect="postgres")
        self.index_owner = {ix.name: t.table for t in self.tables.values() for ix in t.all_indexes()}
        self._cache: OrderedDict[tuple, PgError | None] = OrderedDict()
        self._live: frozenset[str] = frozenset()
        self._live_version = None
        self._cursor = None
        self._lock = asyncio.Lock()

    # ---- the hook

    async def check(self, st: Any, user: str, roles: Any = (), in_transaction: bool = False) -> None:
        """Raises the PgError this statement earns, if any (cached per text + principals).

        Inside a transaction the session may see tables no other cursor sees yet (its own
        uncommitted CREATE TABLE): no "did you mean" guess about unknown tables there."""
        version = self.db.schema_version if self.db is not None else 0
        key = (st.text, user, tuple(roles) if roles else (), version, in_transaction)
        cache = self._cache
        try:
            verdict = cache[key]
        except KeyError:
            if self.db is not None and self._live_version != version:
                async with self._lock:  # one DuckDB cursor: one load at a time
                    if self._live_version != version:
                        self._live = await self.db.run(self._load_live)
                        self._live_version = version
            principals = frozenset((user, *roles)) if roles else frozenset((user,))
            verdict = self.verdict(st.tree, principals, None if in_transaction else self._live)
            cache[key] = verdict
            if len(cache) > _CACHE_MAX:
                cache.popitem(last=False)
        if verdict is not None:
            raise PgError(verdict.sqlstate, verdict.message, hint=verdict.hint)  # a fresh one: callers annotate it

    def _load_live(self) -> frozenset[str]:
        if self._cursor is None:
            self._cursor = self.db.cursor("catalog")
        rows = self._cursor.con.execute(
            "SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()").fetchall()
        return frozenset(r[0].lower() for r in rows)

    # ---- the verdict for one tree

    def verdict(self, tree: exp.Expression | None, principals: frozenset[str],
                live: frozenset[str] | None = frozenset()) -> PgError | None:
        """live: the tables that exist, or None when unknown (then unknown tables are not guessed at)."""
        if tree is None:
            return None
        try:
            return self._verdict(tree, principals, live)
        except PgError as e:
            return e
        except Exception:  # a tree shape this module does not know: DuckDB decides, as without a catalog
            log.debug("catalog check skipped", exc_info=True)
            return None

    def _verdict(self, tree: exp.Expression, principals: frozenset[str],
                 live: frozenset[str] | None) -> PgError | None:
        if isinstance(tree, (exp.Create, exp.Drop, exp.Alter, exp.Comment)):
            self._ddl(tree, principals)
        refs = self._refs(tree)
        if not refs:
            return None
        managed = {n for n in refs if n in self.tables}
        ddl = isinstance(tree, (exp.Create, exp.Drop, exp.Alter, exp.Comment))  # may name what does not exist yet
        for n in refs:
            if not ddl and live is not None and n not in managed and n not in live:
                close = difflib.get_close_matches(n, list(self.tables), n=1, cutoff=0.75)
                if close:
                    raise PgError("42P01", f'relation "{n}" does not exist',
                                  hint=f'Perhaps you meant to reference the table "{close[0]}".')
        if not managed:
            return None
        written = self._write_targets(tree)
        for n in sorted(managed):
            t = self.tables[n]
            if n in written:
                if t.append_only and isinstance(tree, (exp.Update, exp.Delete, exp.Merge, exp.TruncateTable)):
                    raise PgError("42501", f'table "{n}" is append-only',
                                  hint=f"{t.source} declares it append_only: only INSERT is allowed.")
                if t.access is not None and not t.access.may_write(principals):
                    raise PgError("42501", f"permission denied for table {n}",
                                  hint=f"{t.source} allows writes for: {', '.join(t.access.write) or 'admin only'}.")
            elif t.access is not None and not t.access.may_read(principals):
                raise PgError("42501", f"permission denied for table {n}",
                              hint=f"{t.source} allows reads for: "
                                   f"{', '.join(dict.fromkeys(t.access.read + t.access.write)) or 'admin only'}.")
        if managed == refs and not isinstance(tree, (exp.Create, exp.Drop, exp.Alter, exp.Comment, exp.TruncateTable,
                                                      exp.Copy)):
            self._columns(tree)
        return None

    def _refs(self, tree: exp.Expression) -> set[str]:
        """Names of the plain tables a statement reads or writes (not CTEs, not pg_catalog…)."""
        ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
        out = set()
        for t in tree.find_all(exp.Table):
            if not isinstance(t.this, exp.Identifier) or t.args.get("catalog"):
                continue
            db = t.args.get("db")
            if db is not None and db.name.lower() not in ("public", "main"):
                continue
            name = t.name.lower()
            if db is None and name in ctes:
                continue
            if isinstance(tree, exp.Drop) and str(tree.args.get("kind") or "").upper() != "TABLE":
                continue  # DROP INDEX/VIEW name other objects
            if isinstance(t.parent, exp.AlterRename):
                continue
            out.add(name)
        if isinstance(tree, exp.Comment) and isinstance(tree.this, exp.Column) and tree.this.table:
            out.add(tree.this.table.lower())
        return out

    def _write_targets(self, tree: exp.Expression) -> set[str]:
        if isinstance(tree, exp.TruncateTable):
            return {t.name.lower() for t in tree.expressions if isinstance(t, exp.Table)}
        if isinstance(tree, (exp.Create, exp.Drop, exp.Alter, exp.Comment)):
            return self._ddl_targets(tree)[0]
        if isinstance(tree, exp.Copy) and tree.args.get("kind"):  # COPY t FROM …
            target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
            return {target.name.lower()} if isinstance(target, exp.Table) else set()
        if isinstance(tree, _WRITES):
            target = tree.this
            if isinstance(target, exp.Schema):
                target = target.this
            if isinstance(target, exp.Table):
                return {target.name.lower()}
        return set()

    # ---- DDL

    def _ddl_targets(self, tree: exp.Expression) -> tuple[set[str], set[str]]:
        """The managed tables a DDL statement changes, and the unmanaged tables it creates."""
        out: set[str] = set()
        kind = str(tree.args.get("kind") or "").upper()
        if isinstance(tree, exp.Create):
            if kind == "INDEX" and isinstance(tree.this, exp.Index) and isinstance(tree.this.args.get("table"), exp.Table):
                out.add(tree.this.args["table"].name.lower())
            elif kind == "TABLE":
                target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
                if isinstance(target, exp.Table):
                    out.add(target.name.lower())
        elif isinstance(tree, exp.Drop):
            for t in tree.args.get("tables") or tree.expressions or []:
                if isinstance(t, exp.Table):
                    if kind == "TABLE":
                        out.add(t.name.lower())
                    elif kind == "INDEX" and t.name.lower() in self.index_owner:
                        out.add(self.index_owner[t.name.lower()])
        elif isinstance(tree, exp.Alter) and isinstance(tree.this, exp.Table):
            out.add(tree.this.name.lower())
        elif isinstance(tree, exp.Comment):
            if isinstance(tree.this, exp.Table):
                out.add(tree.this.name.lower())
            elif isinstance(tree.this, exp.Column) and tree.this.table:
                out.add(tree.this.table.lower())
        new = {n for n in out if n not in self.tables} if isinstance(tree, exp.Create) else set()
        return out & self.tables.keys(), new

    def _ddl(self, tree: exp.Expression, principals: frozenset[str]) -> None:
        managed, new = self._ddl_targets(tree)
        temporary = any(isinstance(p, exp.TemporaryProperty)
                        for p in (tree.args.get("properties").expressions if tree.args.get("properties") else []))
        for n in sorted(managed):
            t = self.tables[n]
            if self.strict:
                raise PgError("42501", f'table "{n}" is managed by the schema catalog',
                              hint=f"Change {t.source} and run `dataforge schemas apply` (catalog mode is strict).")
            if t.access is not None and not t.access.may_write(principals):
                raise PgError("42501", f"must be owner of table {n}",
                              hint=f"{t.source} allows changes for: {', '.join(t.access.write) or 'admin only'}.")
        if self.strict and new and not temporary and str(tree.args.get("kind") or "").upper() == "TABLE":
            n = sorted(new)[0]
            d = self.catalog.directory or "schemas"
            raise PgError("42501", f'cannot create table "{n}": catalog mode is strict',
                          hint=f"Tables come from schema files: add {d.rstrip('/')}/{n}.yaml and restart the gateway.")

    # ---- columns

    def _columns(self, tree: exp.Expression) -> None:
        if isinstance(tree, (exp.Select, exp.SetOperation)):
            self._qualify(tree)
            return
        if isinstance(tree, exp.Insert):
            target = tree.this
            if isinstance(target, exp.Schema) and isinstance(target.this, exp.Table):
                t = self.tables[target.this.name.lower()]
                for ident in target.expressions:
                    self._column_in(t, ident.name, target.this.name)
            if isinstance(tree.expression, (exp.Select, exp.SetOperation)):
                self._qualify(tree.expression)
            self._outer_columns(tree, skip=(tree.expression,))
            return
        if isinstance(tree, (exp.Update, exp.Delete)):
            target = tree.this
            t = self.tables.get(target.name.lower()) if isinstance(target, exp.Table) else None
            if t is not None and isinstance(tree, exp.Update):
                for eq in tree.expressions:  # SET targets name the target's columns
                    if isinstance(eq, exp.EQ) and isinstance(eq.this, exp.Column):
                        self._column_in(t, eq.this.name, target.alias_or_name)
            self._qualify(self._as_select(tree))

    def _qualify(self, sel: exp.Expression) -> None:
        if self._single_table(sel):
            return
        try:
            qualify(sel.copy(), schema=self.schema, dialect="postgres", validate_qualify_columns=True,
                    quote_identifiers=False, identify=False)
        except OptimizeError as e:
            msg = str(e)
            m = _RESOLVE.search(msg) or _UNKNOWN_COL.search(msg)
            if m is None:
                return  # something sqlglot cannot resolve that is not a column: DuckDB decides
            name = m.group("n")
            if name.lower() in _KEYWORD_VALUES:
                return
            known = {t.alias_or_name.lower() for t in sel.find_all(exp.Table)} | {
                a.name.lower() for a in sel.find_all(exp.TableAlias) if a.name} | {
                c.alias_or_name.lower() for c in sel.find_all(exp.CTE)}
            for c in sel.find_all(exp.Column):
                if c.name == name and c.table and c.table.lower() not in known:
                    raise PgError("42P01", f'missing FROM-clause entry for table "{c.table}"')
            qualifier = next((c.table for c in sel.find_all(exp.Column) if c.name == name and c.table), None) \
                if m.re is _UNKNOWN_COL else None
            self._unknown_column(name, qualifier, self._tables_of(sel))
        except Exception:  # sqlglot gaps must never break a query DuckDB can run
            return

    @staticmethod
    def _as_select(tree: exp.Update | exp.Delete) -> exp.Select:
        """UPDATE/DELETE as the SELECT that reads what it reads (SET values, WHERE, RETURNING over
        the target and its FROM/USING tables), so correlated subqueries resolve in their scope."""
        items: list[exp.Expression] = [exp.Literal.number(1)]
        if isinstance(tree, exp.Update):
            items += [eq.expression.copy() for eq in tree.expressions if isinstance(eq, exp.EQ)]
        ret = tree.args.get("returning")
        if ret is not None:
            items += [e.copy() for e in ret.expressions]
        sel = exp.Select(expressions=items).from_(tree.this.copy())
        others = list(tree.args.get("using") or [])
        frm = tree.args.get("from_") or tree.args.get("from")
        if frm is not None:
            others += [t for t in frm.find_all(exp.Table)]
        for t in others:
            sel = sel.join(t.copy(), join_type="cross")
        where = tree.args.get("where")
        if where is not None:
            sel = sel.where(where.this.copy())
        return sel

    def _single_table(self, sel: exp.Expression) -> bool:
        """The common case without sqlglot's qualify (~20× cheaper): one SELECT over one managed
        table, no joins, subqueries or CTEs. Its columns are the table's or the select list's
        aliases. False = not that shape (or a qualifier it does not know): qualify decides."""
        if not isinstance(sel, exp.Select) or any(sel.args.get(k) for k in ("joins", "with", "laterals")):
            return False
        frm = sel.args.get("from_") or sel.args.get("from")
        src = frm.this if frm is not None else None
        if not isinstance(src, exp.Table) or not isinstance(src.this, exp.Identifier) or src.args.get("alias") and \
                src.args["alias"].columns:
            return False
        t = self.tables.get(src.name.lower())
        if t is None:
            return False
        for node in sel.walk():
            if node is not sel and isinstance(node, (exp.Select, exp.Subquery, exp.Lambda, exp.Table)) and node is not src:
                return False
        alias = src.alias_or_name.lower()
        outputs = {e.alias.lower() for e in sel.expressions if isinstance(e, exp.Alias)}
        for col in sel.find_all(exp.Column):
            if isinstance(col.this, exp.Star):
                continue
            name = col.name if col.this.args.get("quoted") else col.name.lower()
            if col.table:
                if col.table.lower() != alias or col.args.get("db"):
                    return False
                if t.column(name) is None:
                    self._unknown_column(col.name, col.table, {alias: t})
            elif t.column(name) is None and name not in outputs and name != t.table and not (
                    name in _KEYWORD_VALUES and not col.this.args.get("quoted")):
                self._unknown_column(col.name, None, {alias: t})
        return True

    def _tables_of(self, tree: exp.Expression) -> dict[str, Table]:
        out = {}
        for t in tree.find_all(exp.Table):
            tb = self.tables.get(t.name.lower())
            if tb is not None:
                out[(t.alias_or_name or t.name).lower()] = tb
        return out

    def _outer_columns(self, tree: exp.Expression, skip: tuple = ()) -> None:
        """Columns of INSERT/UPDATE/DELETE outside subqueries: SET targets, WHERE, RETURNING."""
        scope = self._tables_of(tree)
        if not scope:
            return
        for col in tree.find_all(exp.Column):
            if col.find_ancestor(exp.Select, exp.Subquery) is not None or any(
                    s is not None and col.find_ancestor(type(s)) is s for s in skip):
                continue
            if col.table:
                t = scope.get(col.table.lower())
                if t is not None:
                    self._column_in(t, col.name, col.table)
            elif not any(tb.column(col.name.lower()) for tb in scope.values()):
                if isinstance(col.this, exp.Identifier) and not col.this.quoted and col.name.lower() in _KEYWORD_VALUES:
                    continue
                self._unknown_column(col.name, None, scope)

    def _column_in(self, t: Table, name: str, written: str) -> None:
        if t.column(name.lower()) is None:
            close = difflib.get_close_matches(name.lower(), [c.name for c in t.columns], n=1, cutoff=0.6)
            raise PgError("42703", f'column "{name}" of relation "{t.table}" does not exist',
                          hint=f'Perhaps you meant to reference the column "{written}.{close[0]}".' if close else None)

    def _unknown_column(self, name: str, qualifier: str | None, scope: dict[str, Table]) -> None:
        cands = {}
        for alias, t in scope.items():
            for c in t.columns:
                cands.setdefault(c.name, f"{alias}.{c.name}")
        close = difflib.get_close_matches(name.lower(), list(cands), n=1, cutoff=0.6)
        what = f"column {qualifier}.{name}" if qualifier else f'column "{name}"'
        raise PgError("42703", f"{what} does not exist",
                      hint=f'Perhaps you meant to reference the column "{cands[close[0]]}".' if close else None)
