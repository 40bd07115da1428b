"""Importing posts from a file (files.py reads it): plan every row, then create its post with the same
services the composer and the API call (post_create, post_schedule through it, queue_add_post,
media_upload); a row's `thread` becomes the post's further parts (post_create's `thread`). Nothing here
decides whether a post is valid: validate_draft and thread_usage (the networks' own validators), the
services' time and workspace checks and queue rules do, and their messages come back per row, keyed by
the file's column.

A dry run plans every row and answers what would be created; it never downloads a media URL (it checks
its address only). The real run is all-or-nothing for the file (`mode=file`: one bad row and nothing is
created) or per row (`mode=row`: the good rows are created, the bad ones reported). Accounts and queues
of the workspace are read once per file, so a 1,000-row file plans in about the time of its
validators (docs/import-export.md)."""

from dataclasses import dataclass, field
from datetime import datetime
from itertools import zip_longest

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import APIException, ValidationError

from media.services import media_upload
from social_media.models import ConnectedAccount, PostQueue, without_secrets
from social_media.platforms import PLATFORMS, PlatformFactory
from social_media.services.posts import _check_time, post_create
from social_media.services.queues import clean_posting_schedule, iter_slots, queue_add_post, taken_slots
from social_media.services.threads import MAX_THREAD_PARTS
from social_media.services.validation import thread_usage, validate_draft

from .files import PART_SEPARATOR, PER_NETWORK, REDDIT
from .media_fetch import MediaFetchError, check_media_url, fetch_media
from .models import ImportJob

MAX_MEDIA_PER_ROW = 10
INLINE_ROWS = 20  # a real import of at most this many rows (and few media) runs in the request
INLINE_MEDIA = 4
MAX_TEXT = 5000  # Post.content / PostTarget.custom_content


def split_list(value) -> list[str]:
    """A `;`-separated cell (or a JSON list) as its non-blank items, stripped."""
    items = value if isinstance(value, list) else str(value or "").split(";")
    return [item.strip() for item in items if item.strip()]


def split_thread(value) -> list[str]:
    """The `thread` cell as the texts of the parts after the first, trimmed: a JSON list, or text whose
    parts are separated by lines holding only `---` (as the export writes them). Empty parts stay, to be
    reported with their number."""
    if isinstance(value, list):
        return [str(item).strip() for item in value]
    text = str(value or "")
    if not text.strip():
        return []
    parts, lines = [], []
    for line in text.splitlines():
        if line.strip() == PART_SEPARATOR:
            parts.append("\n".join(lines).strip())
            lines = []
        else:
            lines.append(line)
    parts.append("\n".join(lines).strip())
    return parts


@dataclass
class RowPlan:
    number: int
    errors: dict = field(default_factory=dict)
    accounts: list = field(default_factory=list)
    content: str = ""
    thread: list = field(default_factory=list)  # the texts of the parts after the first
    custom_content: dict = field(default_factory=dict)
    target_settings: dict = field(default_factory=dict)
    at: datetime | None = None
    queue: PostQueue | None = None
    slot: datetime | None = None
    media_urls: list = field(default_factory=list)
    alt_texts: list = field(default_factory=list)
    report: list = field(default_factory=list)
    post_id: int | None = None

    def error(self, column, message):
        self.errors.setdefault(column, []).append(message)

    def result(self):
        return {
            "row": self.number, "ok": not self.errors, "errors": self.errors,
            "accounts": [
                {"id": r["account"].pk, "platform": r["account"].platform, "username": r["account"].platform_username,
                 "used": r["used"], "limit": r["limit"], "warnings": r["warnings"]}
                for r in self.report
            ] or [{"id": a.pk, "platform": a.platform, "username": a.platform_username} for a in self.accounts],
            "time": self.at.isoformat() if self.at else None,
            "queue": {"id": self.queue.pk, "name": self.queue.name} if self.queue else None,
            "slot": self.slot.isoformat() if self.slot else None,
            "media": len(self.media_urls),
            "thread": len(self.thread),
            "post_id": self.post_id,
        }


class Workspace:
    """What rows refer to in one workspace, read once per file: accounts by id and by @username, queues
    by id and by name, each queue's slots as handed out to rows so far, and URL checks by host."""

    def __init__(self, workspace):
        self.workspace = workspace
        self.accounts = {a.pk: a for a in without_secrets(ConnectedAccount.objects.filter(workspace=workspace)).order_by("id")}
        self.by_name = {}
        for account in self.accounts.values():
            self.by_name.setdefault(account.platform_username.lower().lstrip("@"), []).append(account)
        self.queues = {q.pk: q for q in PostQueue.objects.filter(workspace=workspace).prefetch_related("target_accounts")}
        self.queues_by_name = {}
        for queue in self.queues.values():
            self.queues_by_name.setdefault(queue.name.strip().lower(), []).append(queue)
        self._slots, self._url_checks = {}, {}

    def account(self, token):
        if token.isdigit():
            account = self.accounts.get(int(token))
            return (account, None) if account else (None, f"No account with id {token} in this workspace.")
        found = self.by_name.get(token.lower().lstrip("@"), [])
        if len(found) > 1:
            return None, f"@{token.lstrip('@')} names {len(found)} accounts (on {', '.join(a.platform for a in found)}); use the account's id."
        return (found[0], None) if found else (None, f"No account @{token.lstrip('@')} in this workspace.")

    def queue(self, token):
        if token.isdigit() and int(token) in self.queues:
            return self.queues[int(token)], None
        found = self.queues_by_name.get(token.strip().lower(), [])
        if len(found) > 1:
            return None, f"{len(found)} queues are named {token}; use the queue's id."
        return (found[0], None) if found else (None, f"No queue {token} in this workspace.")

    def next_slot(self, queue):
        """The queue's next free slot not yet given to an earlier row of this file (as queue_add_post
        will give them, row after row)."""
        state = self._slots.get(queue.pk)
        if state is None:
            schedule = clean_posting_schedule(queue.posting_schedule or {})
            state = self._slots[queue.pk] = (iter_slots(schedule, queue.timezone, after=timezone.now()), taken_slots(queue))
        slots, taken = state
        for instant in slots:
            if instant not in taken:
                return instant
        raise ValidationError(["The queue has no posting times."])

    def url_problem(self, url):
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._url_checks:
            self._url_checks[key] = check_media_url(url)
        return self._url_checks[key]


def plan_row(number, raw, ws: Workspace) -> RowPlan:
    plan = RowPlan(number=number)
    text = str(raw.get("text") or "")
    if len(text) > MAX_TEXT:
        plan.error("text", f"At most {MAX_TEXT:,} characters; this has {len(text):,}.")
    plan.content = text
    _thread(plan, raw)

    for token in split_list(raw.get("accounts")):
        account, problem = ws.account(token)
        if problem:
            plan.error("accounts", problem)
        elif account not in plan.accounts:
            plan.accounts.append(account)

    when, queue_name = str(raw.get("time") or "").strip(), str(raw.get("queue") or "").strip()
    if when and queue_name:
        plan.error("queue", "Give a time or a queue, not both.")
    elif when:
        try:
            at = datetime.fromisoformat(when)
        except ValueError:
            plan.error("time", f"'{when[:40]}' is not an ISO 8601 time, e.g. 2030-01-31T09:00:00+01:00.")
        else:
            try:
                plan.at = _check_time(at)  # the scheduling service's own rule
            except ValidationError as exc:
                plan.errors.setdefault("time", []).extend(str(m) for m in exc.detail["scheduled_time"])
    elif queue_name:
        queue, problem = ws.queue(queue_name)
        if problem:
            plan.error("queue", problem)
        elif not queue.is_active:
            plan.error("queue", f"The queue {queue.name} is paused; activate it before adding posts.")
        else:
            plan.queue = queue
            if not plan.accounts and "accounts" not in plan.errors:  # queue_add_post's rule: the queue's active accounts
                plan.accounts = [a for a in sorted(queue.target_accounts.all(), key=lambda a: a.pk) if a.is_active]
    if not plan.accounts and not ({"accounts", "queue"} & plan.errors.keys()):
        plan.error("accounts", "Name at least one account (its id or @username), or a queue that has accounts.")

    platforms = {a.platform for a in plan.accounts}
    for column in PER_NETWORK:
        value = str(raw.get(column) or "")
        if not value:
            continue
        platform = column.removeprefix("text_")
        if len(value) > MAX_TEXT:
            plan.error(column, f"At most {MAX_TEXT:,} characters; this has {len(value):,}.")
        elif platform not in platforms and plan.accounts:
            plan.error(column, f"None of this row's accounts is on {PLATFORMS[platform][0]}.")
        for account in plan.accounts:
            if account.platform == platform:
                plan.custom_content[str(account.pk)] = value

    _target_settings(plan, raw)
    plan.media_urls = split_list(raw.get("media_urls"))
    plan.alt_texts = [a.strip() for a in (raw.get("alt_text") if isinstance(raw.get("alt_text"), list) else str(raw.get("alt_text") or "").split(";"))]
    while plan.alt_texts and not plan.alt_texts[-1]:
        plan.alt_texts.pop()
    if len(plan.media_urls) > MAX_MEDIA_PER_ROW:
        plan.error("media_urls", f"At most {MAX_MEDIA_PER_ROW} media URLs a row; this has {len(plan.media_urls)}.")
    else:
        for url in plan.media_urls:
            problem = ws.url_problem(url)
            if problem:
                plan.error("media_urls", problem)
    if len(plan.alt_texts) > len(plan.media_urls):
        plan.error("alt_text", f"{len(plan.alt_texts)} alt texts for {len(plan.media_urls)} media URLs; give them in the same order, separated by ;.")

    if plan.accounts and not ({"text", "accounts"} & plan.errors.keys()):
        _validate(plan)
    if plan.accounts and plan.thread and not ({"thread", "accounts"} & plan.errors.keys()):
        _validate_thread(plan)
    if plan.queue is not None and not plan.errors:
        try:
            plan.slot = ws.next_slot(plan.queue)
        except ValidationError as exc:
            plan.errors.setdefault("queue", []).extend(str(m) for m in _messages(exc.detail))
    return plan


def _thread(plan, raw):
    """The `thread` column: at most as many parts as the API takes, none empty, none too long."""
    plan.thread = split_thread(raw.get("thread"))
    if len(plan.thread) > MAX_THREAD_PARTS:
        plan.error("thread", f"A thread has at most {MAX_THREAD_PARTS + 1} parts (this one has {len(plan.thread) + 1}).")
        return
    for number, part in enumerate(plan.thread, start=2):
        if not part:
            plan.error("thread", f"Part {number} is empty; write its text, or remove it (and its --- line).")
        elif len(part) > MAX_TEXT:
            plan.error("thread", f"Part {number}: at most {MAX_TEXT:,} characters; this has {len(part):,}.")


def _target_settings(plan, raw):
    """The reddit_* columns as each Reddit account's target settings, checked by the Reddit adapter's own rule."""
    given = {column.removeprefix("reddit_"): str(raw.get(column) or "").strip() for column in REDDIT}
    given = {key: value for key, value in given.items() if value}
    reddit = [a for a in plan.accounts if a.platform == "reddit"]
    if given and not reddit and plan.accounts:
        for key in given:
            plan.error(f"reddit_{key}", "None of this row's accounts is on Reddit.")
        return
    for account in reddit:
        plan.target_settings[str(account.pk)] = given
        for key, messages in PlatformFactory.get_platform(account).validate_target_settings(given).items():
            for message in messages:
                plan.error(f"reddit_{key}" if f"reddit_{key}" in REDDIT else "row", message)


def _validate(plan):
    """The networks' verdict on the row's text (media are checked once downloaded, when imported)."""
    plan.report = validate_draft(accounts=plan.accounts, content=plan.content, custom_content=plan.custom_content, at=plan.at)
    for entry in plan.report:
        account = entry["account"]
        if not entry["errors"] or (plan.media_urls and not entry["content"].strip()):
            continue  # media-only: checked with its media once downloaded (post_schedule validates the post)
        if not account.is_active:
            column = "accounts"
        elif str(account.pk) in plan.custom_content:
            column = f"text_{account.platform}"
        else:
            column = "text"
        for message in entry["errors"]:
            plan.error(column, f"@{account.platform_username} ({PLATFORMS[account.platform][0]}): {message}")


def _validate_thread(plan):
    """Each part on each account's network, as the scheduling service will judge it (thread_usage, the
    composer's per-part check: the network's own validator; a network that cannot thread is refused
    once, with its sentence). Part 1 is the row's text."""
    accounts = [a for a in plan.accounts if a.is_active]  # an inactive account is reported on `accounts`
    refused = set()
    for number, row in enumerate(thread_usage(accounts=accounts, parts=[{"content": part} for part in plan.thread]), start=2):
        for entry in row:
            account = entry["account"]
            label = f"@{account.platform_username} ({PLATFORMS[account.platform][0]})"
            if not PlatformFactory.get_platform(account).supports_threads:
                if account.pk not in refused:
                    refused.add(account.pk)
                    plan.error("thread", f"{label}: {' '.join(entry['errors'])}")
                continue
            for message in entry["errors"]:
                plan.error("thread", f"Part {number}: {label}: {message}")


def _messages(detail):
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]


def plan_rows(rows, *, workspace) -> list[RowPlan]:
    ws = Workspace(workspace)
    return [plan_row(number, raw, ws) for number, raw in enumerate(rows, start=1)]


def dry_run(*, workspace, rows) -> dict:
    """What importing `rows` would create, row by row; nothing is written or downloaded."""
    results = [plan.result() for plan in plan_rows(rows, workspace=workspace)]
    return {"dry_run": True, "rows_total": len(results), "rows_failed": sum(1 for r in results if not r["ok"]), "results": results}


# --- the real run ------------------------------------------------------------------------------
# Service errors come back keyed by the services' fields; a row's answer names the file's column.
SERVICE_FIELDS = {"scheduled_time": "time", "target_accounts": "accounts", "media_ids": "media_urls", "file": "media_urls",
                  "posting_schedule": "queue", "timezone": "queue", "post_id": "queue", "custom_content": "text", "content": "text",
                  "thread": "thread"}


def _service_errors(plan, exc):
    if isinstance(exc, ValidationError) and isinstance(exc.detail, dict):
        for key, value in exc.detail.items():
            if key == "target_settings" and isinstance(value, dict):
                for fields in value.values():
                    for name, messages in (fields.items() if isinstance(fields, dict) else [("row", fields)]):
                        for message in _messages(messages):
                            plan.error(f"reddit_{name}" if f"reddit_{name}" in REDDIT else "row", message)
            elif key == "thread" and isinstance(value, dict):  # keyed by the part's index after the first
                for index, problems in value.items():
                    for message in _messages(problems):
                        plan.error("thread", f"Part {int(index) + 2}: {message}" if str(index).isdigit() else message)
            elif key == "targets" and isinstance(value, dict):
                accounts = {str(a.pk): a for a in plan.accounts}
                for account_id, messages in value.items():
                    account = accounts.get(account_id)
                    column = f"text_{account.platform}" if account and account_id in plan.custom_content else "text"
                    prefix = f"@{account.platform_username} ({PLATFORMS[account.platform][0]}): " if account else ""
                    for message in _messages(messages):
                        plan.error(column, prefix + message)
            else:
                for message in _messages(value):
                    plan.error(SERVICE_FIELDS.get(key, "row"), message)
    else:
        column = "queue" if plan.queue is not None and "queue" in str(exc.detail).lower() else "row"
        for message in _messages(exc.detail):
            plan.error(column, message)


def _fetch_media(plan, *, workspace, user, fetch):
    """The row's media URLs downloaded and stored in the library (with their alt text), in order, or
    errors on the plan. Storage is not transactional, so this runs outside the row's transaction."""
    media = []
    for url, alt in zip_longest(plan.media_urls, plan.alt_texts[: len(plan.media_urls)], fillvalue=""):
        try:
            upload = fetch(url)
        except MediaFetchError as exc:
            plan.error("media_urls", exc.message)
            continue
        try:
            stored, _created = media_upload(workspace=workspace, uploaded_by=user, uploaded_file=upload, alt_text=alt)
        except ValidationError as exc:
            plan.error("media_urls", f"{url[:100]}: {' '.join(_messages(exc.detail))}")
            continue
        finally:
            upload.close()
        media.append(stored)
    return media


def _create(plan, *, workspace, user, media):
    post = post_create(
        workspace=workspace, author=user, content=plan.content, accounts=plan.accounts,
        custom_content=plan.custom_content or None, media=media, scheduled_time=plan.at,
        target_settings=plan.target_settings or None, thread=[{"content": part} for part in plan.thread],
    )
    if plan.queue is not None:
        queue_add_post(queue=plan.queue, post=post)
    plan.post_id = post.pk
    return post


def _progress(job, plans, done):
    failed = sum(1 for p in plans[:done] if p.errors)
    ImportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_failed=failed)


def import_run(*, job_id, fetch=fetch_media):
    """Import the job's rows (the Celery task and a small inline import both call this)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.State.QUEUED).update(status=ImportJob.State.RUNNING)
    if not claimed:
        return None  # already run (a redelivered task)
    job = ImportJob.objects.select_related("workspace", "created_by").get(pk=job_id)
    workspace, user = job.workspace, job.created_by
    plans = plan_rows(job.rows, workspace=workspace)
    if job.mode == ImportJob.Mode.FILE:
        error = _run_file(job, plans, workspace=workspace, user=user, fetch=fetch)
    else:
        error = _run_rows(job, plans, workspace=workspace, user=user, fetch=fetch)
    job.results = [plan.result() for plan in plans]
    job.rows_done = len(plans)
    job.rows_failed = sum(1 for plan in plans if plan.errors)
    job.status = ImportJob.State.FAILED if error else ImportJob.State.DONE
    job.error = error
    job.finished_at = timezone.now()
    job.rows = []  # imported or refused: the file's text is now in the posts, or no longer needed
    job.save(update_fields=["results", "rows_done", "rows_failed", "status", "error", "finished_at", "rows"])
    return job


def _run_rows(job, plans, *, workspace, user, fetch):
    for index, plan in enumerate(plans, start=1):
        if not plan.errors:
            media = _fetch_media(plan, workspace=workspace, user=user, fetch=fetch) if plan.media_urls else []
            if not plan.errors:
                try:
                    with transaction.atomic():
                        _create(plan, workspace=workspace, user=user, media=media)
                except APIException as exc:
                    plan.post_id = None
                    _service_errors(plan, exc)
        _progress(job, plans, index)
    return ""


class _RollBack(Exception):
    pass


def _run_file(job, plans, *, workspace, user, fetch):
    bad = [p.number for p in plans if p.errors]
    if bad:
        return _nothing_imported(plans, bad)
    media_of = {}
    for index, plan in enumerate(plans, start=1):  # downloads first: storage is not transactional
        if plan.media_urls:
            media_of[plan.number] = _fetch_media(plan, workspace=workspace, user=user, fetch=fetch)
            if plan.errors:
                return _nothing_imported(plans, [plan.number])
        _progress(job, plans, index)
    try:
        with transaction.atomic():
            for plan in plans:
                try:
                    with transaction.atomic():
                        _create(plan, workspace=workspace, user=user, media=media_of.get(plan.number, []))
                except APIException as exc:
                    _service_errors(plan, exc)
                    raise _RollBack from exc
    except _RollBack:
        return _nothing_imported(plans, [p.number for p in plans if p.errors])
    return ""


def _nothing_imported(plans, bad):
    for plan in plans:
        plan.post_id = None
    rows = ", ".join(map(str, bad[:10])) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
    return f"Nothing was imported (all or nothing for the file): row {rows} has errors."


def import_start(*, workspace, user, filename, rows, mode):
    """An ImportJob for `rows`; run at once when small, else by the Celery task once this commits.
    Returns (job, ran_inline)."""
    job = ImportJob.objects.create(
        workspace=workspace, created_by=user, filename=(filename or "")[:255], mode=mode, rows=rows, rows_total=len(rows),
    )
    media = sum(len(split_list(row.get("media_urls"))) for row in rows)
    if len(rows) <= INLINE_ROWS and media <= INLINE_MEDIA:
        return import_run(job_id=job.pk), True
    from .tasks import run_import

    transaction.on_commit(lambda: run_import.delay(job.pk))
    return job, False
