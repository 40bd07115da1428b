"""Re-encrypt every stored secret with the newest key in ENCRYPTION_KEYS.

Rotation: put a new key first in ENCRYPTION_KEYS (keep the old ones after it), deploy, run this
command, and only then drop the old keys. Works on the raw column values with SQL so no model save()
side effects (auto_now, signals) run, in batches of --batch-size rows, each batch in one transaction.
An update only lands if the column still holds the value that was read (compare-and-set), so a
token refreshed by a worker meanwhile (already written with the new key) is never overwritten.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, router, transaction

from config.encryption import UndecryptableSecret, encrypted_fields, rotate

MAX_LISTED_FAILURES = 10


class Command(BaseCommand):
    help = "Re-encrypt every EncryptedTextField value with the first key of ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Rows read and updated per transaction (default 500).")
        parser.add_argument("--dry-run", action="store_true", help="Check that every value decrypts; change nothing.")

    def handle(self, *args, batch_size, dry_run, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if len(settings.ENCRYPTION_KEYS) < 2:
            self.stdout.write("Note: ENCRYPTION_KEYS holds fewer than two keys; values are re-encrypted with the same key.")
        totals = {"rotated": 0, "changed_meanwhile": 0}
        failures = []
        fields = list(encrypted_fields())
        for model, field in fields:
            label = f"{model._meta.label}.{field.name}"
            rotated, changed, failed = self._rotate_field(model, field, label, batch_size, dry_run, verbosity)
            totals["rotated"] += rotated
            totals["changed_meanwhile"] += changed
            failures.extend(failed)
            if verbosity >= 1:
                self.stdout.write(f"  {label}: {rotated} {'would be ' if dry_run else ''}re-encrypted" + (f", {len(failed)} undecryptable" if failed else ""))

        verb = "Would re-encrypt" if dry_run else "Re-encrypted"
        summary = (
            f"{verb} {totals['rotated']} secret(s) in {len(fields)} field(s); "
            f"{totals['changed_meanwhile']} changed meanwhile (left as written); {len(failures)} undecryptable."
        )
        if failures:
            listed = ", ".join(f"{label} id={pk}" for label, pk in failures[:MAX_LISTED_FAILURES])
            more = f" and {len(failures) - MAX_LISTED_FAILURES} more" if len(failures) > MAX_LISTED_FAILURES else ""
            raise CommandError(
                f"{summary} No configured key decrypts: {listed}{more}. Keep the old keys in ENCRYPTION_KEYS "
                "(or clear those values so the accounts reconnect) and run again."
            )
        self.stdout.write(self.style.SUCCESS(summary))

    def _rotate_field(self, model, field, label, batch_size, dry_run, verbosity):
        connection = connections[router.db_for_write(model)]
        quote = connection.ops.quote_name
        table, pk, column = quote(model._meta.db_table), quote(model._meta.pk.column), quote(field.column)
        select = f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL AND {column} <> '' {{after}} ORDER BY {pk} LIMIT %s"
        update = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s"
        rotated = changed = 0
        failed = []
        last_pk = None
        while True:
            with connection.cursor() as cursor:
                if last_pk is None:
                    cursor.execute(select.format(after=""), [batch_size])
                else:
                    cursor.execute(select.format(after=f"AND {pk} > %s"), [last_pk, batch_size])
                rows = cursor.fetchall()
            if not rows:
                break
            last_pk = rows[-1][0]
            updates = []
            for row_pk, stored in rows:
                try:
                    updates.append((rotate(stored), row_pk, stored))
                except UndecryptableSecret:
                    failed.append((label, row_pk))
            if dry_run:
                rotated += len(updates)
                continue
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                for params in updates:
                    cursor.execute(update, list(params))
                    if cursor.rowcount == 1:
                        rotated += 1
                    else:
                        changed += 1
            if verbosity >= 2:
                self.stdout.write(f"    {label}: up to id {last_pk}, {rotated} re-encrypted so far")
        return rotated, changed, failed
