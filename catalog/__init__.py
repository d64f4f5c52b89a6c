"""The schema catalog: schema files → managed tables, migrations, validation and access.

`start_catalog()` is what `dataforge serve` calls before it listens: load and check every
schema file, bring the database in line with them (refusing destructive drift unless
allowed), and return the Validator the sessions call.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger("dataforge.catalog")


class CatalogStartError(Exception):
    pass


def start_catalog(settings: Any, db: Any):
    """The Validator for `settings.schemas` (None when there is no schema directory)."""
    from .check import Validator
    from .ddl import ApplyError, CatalogDrift, sync
    from .loader import load_with_problems

    directory = settings.schemas
    if not directory:
        return None
    if not Path(directory).is_dir():
        if "schemas" in settings.model_fields_set:
            raise CatalogStartError(f"schema directory {directory} does not exist")
        return None  # the default ./schemas is optional
    catalog, problems = load_with_problems(directory)
    if problems:
        raise CatalogStartError(f"{len(problems)} problem(s) in the schema files:\n"
                                + "\n".join(str(p) for p in problems))
    try:
        plan = sync(catalog, db.con, settings.catalog_allow_destructive)
    except (CatalogDrift, ApplyError) as e:
        raise CatalogStartError(f"cannot bring the database in line with {directory}: {e}") from None
    for change in plan.changes:
        log.info("catalog: %s: %s: %s", change.table, change.kind, change.text)
    print(f"dataforge: catalog: {len(catalog.tables)} managed table(s) from {directory}"
          f"{f', {len(plan.changes)} change(s) applied' if plan.changes else ''} (mode {settings.catalog_mode})",
          flush=True, file=sys.stderr)
    db.schema_version += 1
    return Validator(catalog, settings.catalog_mode, db)
