"""The demo world the suite shares: built once per test session (per xdist worker), kept
committed in the test database, and seen by every test through its rolled-back transaction.

Three tools make that safe and cheap:

- `Snapshot`: every row of every table, read once. A transactional test (browser, live
  server, concurrency) commits; `restore` then puts the world back with one INSERT per table
  instead of Django's flush and a new demo loaded through the services. A snapshot of what
  `migrate` writes gives the few tests that need it a database without the demo.
- `RowChanges`: what an operation wrote, as the rows it inserted, updated and deleted. The
  sealing of the demo documents (two WeasyPrint renderings and two electronic seals, ≈ 4 s)
  runs once per session in a rolled-back savepoint; `sealed_demo` replays its rows in the
  test's own transaction and stores the same PDF bytes in the test's own storage.

Rows are written with `raw=True` (as `loaddata` does): `auto_now` stamps and primary keys
stay exactly as they were built."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction

Row = tuple


def project_models() -> list[type]:
    """Every table Django manages, many-to-many tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _columns(model) -> list:
    return list(model._meta.concrete_fields)


def _read(model) -> dict[object, Row]:
    names = [f.attname for f in _columns(model)]
    pk_index = names.index(model._meta.pk.attname)
    rows = model._base_manager.order_by().values_list(*names)
    return {row[pk_index]: row for row in rows}


def _insert(model, rows: list[Row]) -> None:
    """INSERT the rows as they are: explicit keys, no `auto_now`, no signal."""
    if not rows:
        return
    fields = _columns(model)
    names = [f.attname for f in fields]
    objs = [model.from_db(connection.alias, names, row) for row in rows]
    size = connection.ops.bulk_batch_size(fields, objs) or len(objs)
    for start in range(0, len(objs), size):
        model._base_manager._insert(objs[start : start + size], fields=fields, raw=True)


def _delete_all(models) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")


def _by_label(per_model: dict) -> dict:
    return {model._meta.label: value for model, value in per_model.items()}


def _by_model(per_label: dict) -> dict:
    return {apps.get_model(label): value for label, value in per_label.items()}


class _PickledByLabel:
    """Pickled with each model by its label (many-to-many tables' models are no module's
    names): tests/conftest.py hands a world built by one xdist worker to the other."""

    _per_model: tuple[str, ...] = ()

    def __getstate__(self):
        return {
            name: _by_label(value) if name in self._per_model else value
            for name, value in self.__dict__.items()
        }

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, _by_model(value) if name in self._per_model else value)


@dataclass
class Snapshot(_PickledByLabel):
    """Every row of every table at one moment."""

    rows: dict[type, dict[object, Row]]
    _per_model = ("rows",)

    @classmethod
    def take(cls, models=None) -> Snapshot:
        """Every table's rows, or only these models' (the others then count as empty)."""
        return cls(rows={model: _read(model) for model in models or project_models()})

    def restore(self) -> None:
        """Make the database hold exactly these rows again (and nothing in the tables the
        snapshot did not read). Foreign keys are checked at the commit (Django declares them
        deferrable), when every row is back."""
        from django.contrib.contenttypes.models import ContentType

        models = project_models()
        with transaction.atomic():
            _delete_all(models)
            for model in models:
                _insert(model, list(self.rows.get(model, {}).values()))
        # Content types are rows like the others: forget any cached since the snapshot.
        ContentType.objects.clear_cache()


@dataclass
class RowChanges(_PickledByLabel):
    """What an operation did to the database, row by row."""

    inserted: dict[type, list[Row]] = field(default_factory=dict)
    updated: dict[type, list[Row]] = field(default_factory=dict)
    deleted: dict[type, list[object]] = field(default_factory=dict)
    _per_model = ("inserted", "updated", "deleted")

    @classmethod
    def between(cls, before: Snapshot, after: Snapshot) -> RowChanges:
        changes = cls()
        for model, rows in after.rows.items():
            old = before.rows.get(model, {})
            inserted = [row for pk, row in rows.items() if pk not in old]
            updated = [row for pk, row in rows.items() if pk in old and old[pk] != row]
            deleted = [pk for pk in old if pk not in rows]
            if inserted:
                changes.inserted[model] = inserted
            if updated:
                changes.updated[model] = updated
            if deleted:
                changes.deleted[model] = deleted
        return changes

    def apply(self) -> None:
        """Replay the changes in the current transaction."""
        with transaction.atomic():
            for model, pks in self.deleted.items():
                model._base_manager.filter(pk__in=pks)._raw_delete(connection.alias)
            for model, rows in self.updated.items():
                names = [f.attname for f in _columns(model)]
                for row in rows:
                    values = dict(zip(names, row, strict=True))
                    pk = values.pop(model._meta.pk.attname)
                    model._base_manager.filter(pk=pk).update(**values)
            for model, rows in self.inserted.items():
                _insert(model, rows)
