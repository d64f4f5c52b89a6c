"""Django 5 (psycopg 3 backend) against the gateway, PostgreSQL 15 as the oracle.

`migrate` of django.contrib.auth/contenttypes and an app with a ForeignKey, a unique
CharField, a DecimalField and a JSONField exercises what Django's schema editor sends: foreign
keys added after CREATE TABLE (DEFERRABLE INITIALLY DEFERRED), varchar_pattern_ops indexes,
AlterField on indexed and referenced tables, bulk_create through UNNEST with client-side
binding, and annotate() grouping by a primary key. Each server gets its own Django process
(Django configures one database per process); their printed results must be the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import psycopg
import pytest

pytest.importorskip("django")

ROOT = Path(__file__).resolve().parents[1]

SETTINGS = """
import os
SECRET_KEY = "test"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "shop"]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "postgres",
             "USER": "postgres", "HOST": os.environ["DJ_HOST"], "PORT": os.environ["DJ_PORT"]}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
"""

MODELS = """
from django.db import models

class Author(models.Model):
    name = models.CharField(max_length=100, unique=True)
    born = models.DateField(null=True)

class Book(models.Model):
    title = models.CharField(max_length=200, db_index=True)
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="books")
    price = models.DecimalField(max_digits=8, decimal_places=2)
    tags = models.JSONField(default=dict)

class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    stars = models.IntegerField()
"""

SCRIPT = """
import json, os, sys
sys.path.insert(0, os.getcwd())
os.environ["DJANGO_SETTINGS_MODULE"] = "settings"
import django
django.setup()
from decimal import Decimal
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum

out = []
call_command("makemigrations", "shop", verbosity=0)
call_command("migrate", verbosity=0)
from shop.models import Author, Book, Review
from django.contrib.auth.models import Permission, User

ann = Author.objects.create(name="Ann")
bob = Author.objects.create(name="Bob")
Book.objects.bulk_create([Book(title=f"t{i}", author=ann if i % 2 else bob, price=Decimal("1.25") * i,
                               tags={"i": i, "odd": bool(i % 2)}) for i in range(6)])
out.append(Permission.objects.filter(codename__startswith="add_").count())
out.append(sorted(Book.objects.filter(tags__odd=True).values_list("title", flat=True)))
out.append([(r["name"], r["n"], str(r["s"])) for r in
            Author.objects.annotate(n=Count("books"), s=Sum("books__price")).values("name", "n", "s").order_by("name")])
out.append(list(Book.objects.filter(title__startswith="t", price__gte=Decimal("2.5")).order_by("-price")
                .values_list("title", flat=True)[:2]))
b = Book.objects.get(title="t3")
b.price = Decimal("99.99")
b.save()
out.append(str(Book.objects.get(pk=b.pk).price))
try:
    with transaction.atomic():
        Author.objects.create(name="Ann")
except IntegrityError as e:
    out.append(("unique", e.__cause__.sqlstate))
try:
    with transaction.atomic():
        ann.delete()
except Exception as e:  # PROTECT: Django refuses before the database does
    out.append(("protected", type(e).__name__))
# the delete collector: the reviews, then the book, in one transaction (on_delete=CASCADE)
Review.objects.bulk_create([Review(book=bk, stars=s) for bk in Book.objects.filter(author=bob) for s in (3, 5)])
out.append(Book.objects.filter(author=bob).order_by("title").first().delete())
Book.objects.filter(author=bob).delete()
out.append((Book.objects.count(), Review.objects.count()))
# AddField as a migration writes it: ADD COLUMN … DEFAULT … NOT NULL, DROP DEFAULT, in a transaction
from django.db import models as m
nick = m.CharField(max_length=20, default="n/a")
nick.set_attributes_from_name("nick")
with connection.schema_editor() as editor:
    editor.add_field(Author, nick)
with connection.cursor() as c:
    c.execute("SELECT name, nick FROM shop_author ORDER BY name")
    out.append(c.fetchall())
u = User.objects.create_user("carol", password="pw")
out.append(User.objects.get(username="carol").check_password("pw"))
out.append(sorted(c.model for c in __import__("django.contrib.contenttypes.models", fromlist=["x"]).ContentType.objects.all()))
print(json.dumps(out))
"""


def _run_django(tmp: Path, host: str, port: int) -> list:
    (tmp / "shop" / "migrations").mkdir(parents=True)
    (tmp / "shop" / "__init__.py").write_text("")
    (tmp / "shop" / "migrations" / "__init__.py").write_text("")
    (tmp / "shop" / "models.py").write_text(textwrap.dedent(MODELS))
    (tmp / "settings.py").write_text(textwrap.dedent(SETTINGS))
    (tmp / "run.py").write_text(textwrap.dedent(SCRIPT))
    env = {**os.environ, "DJ_HOST": host, "DJ_PORT": str(port)}
    r = subprocess.run([sys.executable, "run.py"], cwd=tmp, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_django_migrate_and_orm_match_postgresql(pg, gateway_factory, tmp_path):
    # a gateway of its own: Django's migrations create auth/contenttypes tables by fixed names
    gw = gateway_factory(database=str(tmp_path / f"dj-{uuid.uuid4().hex[:6]}.duckdb"))
    try:
        want = _run_django(tmp_path / "pg", pg.host, pg.port)
    finally:  # the oracle is shared with other tests: leave no Django tables behind
        with psycopg.connect(pg.dsn, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS shop_review, shop_book, shop_author, auth_user_user_permissions, "
                         "auth_user_groups, auth_group_permissions, auth_permission, auth_user, auth_group, "
                         "django_content_type, django_migrations CASCADE")
    got = _run_django(tmp_path / "gw", gw.host, gw.port)
    assert got == want
    assert want[0] >= 6  # auth + contenttypes + shop permissions were created
