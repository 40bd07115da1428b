"""ImportJob: one file of posts being imported (docs/import-export.md). The parsed rows are kept on the
job so the Celery task that imports a large file reads them from the database, not from an upload; they
are cleared once the import has run (the results stay)."""

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    class Mode(models.TextChoices):
        FILE = "file", "All or nothing for the file"
        ROW = "row", "Each row on its own"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255, blank=True)
    mode = models.CharField(max_length=4, choices=Mode.choices, default=Mode.ROW)
    status = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    rows = models.JSONField(default=list, blank=True, help_text="The file's rows as parsed (column -> value).")
    results = models.JSONField(default=list, blank=True, help_text="One result per row: ok, errors by column, post id.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"import {self.pk} ({self.filename or 'file'}, {self.status})"
