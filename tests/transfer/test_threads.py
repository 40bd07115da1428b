"""Threads in import and export: the `thread` column (JSON: a list of the parts after the first; CSV: the
parts in one cell, separated by lines of ---), checked per part on each account's network, created as
ThreadPart rows, and an export imported again recreates the same thread."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from social_media.models import Post, Status, ThreadPart
from social_media.services.posts import post_create
from tests.factories import ConnectedAccountFactory
from transfer.exporting import export_posts, records

from .conftest import csv_bytes
from .test_export import URL as EXPORT_URL
from .test_export import body_of
from .test_import import errors_of, later, upload

pytestmark = pytest.mark.django_db

PARTS = ["Second: why it matters", "Third: where to read more"]


@pytest.fixture
def instagram(workspace):
    return ConnectedAccountFactory(workspace=workspace, platform="instagram", platform_username="alice.pics", platform_settings={})


def thread_post(workspace, user, account, *, content="First: the news", parts=PARTS, at=None):
    return post_create(workspace=workspace, author=user, content=content, accounts=[account], scheduled_time=at,
                       thread=[{"content": part} for part in parts])


def parts_of(post):
    return list(ThreadPart.objects.filter(post=post).order_by("position").values_list("position", "content"))


class TestExport:
    def test_json_carries_the_parts_after_the_first_as_a_list(self, auth_api, workspace, user, mastodon):
        post = thread_post(workspace, user, mastodon)
        single = post_create(workspace=workspace, author=user, content="Just one", accounts=[mastodon])
        by_id = {r["post_id"]: r for r in json.loads(body_of(auth_api.get(EXPORT_URL, {"format": "json"})))}
        assert by_id[post.pk]["content"] == "First: the news" and by_id[post.pk]["thread"] == PARTS
        assert by_id[single.pk]["thread"] == []
        assert list(by_id[post.pk])[4:6] == ["content", "thread"]  # the column follows `content`

    def test_csv_joins_the_parts_with_lines_of_dashes(self, auth_api, workspace, user, mastodon):
        post = thread_post(workspace, user, mastodon)
        text = body_of(auth_api.get(EXPORT_URL, {"format": "csv"}))
        assert text.splitlines()[0].startswith("post_id,created_at,scheduled_time,post_status,content,thread,target_id")
        (row,) = list(csv.DictReader(io.StringIO(text)))
        assert int(row["post_id"]) == post.pk
        assert row["thread"] == "Second: why it matters\n---\nThird: where to read more"

    def test_the_parts_are_prefetched_so_the_query_count_stays_flat(self, workspace, user, mastodon, bluesky):
        def queries_for_export():
            with CaptureQueriesContext(connection) as queries:
                rows = list(records(export_posts(workspace=workspace)))
            return len(queries), rows

        thread_post(workspace, user, mastodon)
        few, rows = queries_for_export()
        for n in range(6):
            thread_post(workspace, user, bluesky if n % 2 else mastodon, content=f"Post {n}", parts=[f"{n}.2", f"{n}.3", f"{n}.4"])
        many, rows = queries_for_export()
        assert len(rows) == 7 and rows[-1]["thread"] == ["5.2", "5.3", "5.4"]
        assert many == few


class TestImportDryRun:
    def test_a_part_too_long_for_bluesky_is_a_row_error_naming_the_part_and_the_network(self, auth_api, bluesky, mastodon):
        rows = [{"text": "Short head", "thread": "Fine\n---\n" + "x" * 301, "accounts": f"{bluesky.pk};@alice", "time": later().isoformat()}]
        result = upload(auth_api, csv_bytes(rows), dry_run="true").json()["results"][0]
        assert not result["ok"] and list(result["errors"]) == ["thread"]
        (message,) = result["errors"]["thread"]
        assert message.startswith("Part 3: @alice.bsky.social (Bluesky): ") and "300" in message
        assert not Post.objects.exists()

    def test_a_thread_to_instagram_is_refused_with_its_sentence(self, auth_api, instagram, mastodon):
        rows = [{"text": "Head", "thread": ["Two", "Three"], "accounts": [str(instagram.pk), "@alice"]}]
        result = upload(auth_api, json.dumps(rows).encode(), name="posts.json", dry_run="true").json()["results"][0]
        assert result["errors"]["thread"] == [
            "@alice.pics (Instagram): Instagram cannot publish a thread: remove the thread's other parts, or this account from the post."
        ]  # once for the account, not once per part; Mastodon takes the thread

    def test_an_empty_part_is_an_error_with_its_number(self, auth_api, mastodon):
        rows = [{"text": "Head", "thread": "Two\n---\n   \n---\nFour", "accounts": "@alice"}]
        errors = upload(auth_api, csv_bytes(rows), dry_run="true").json()["results"][0]["errors"]
        assert errors == {"thread": ["Part 3 is empty; write its text, or remove it (and its --- line)."]}

    def test_at_most_as_many_parts_as_the_api_takes(self, auth_api, mastodon):
        ok = {"text": "Head", "thread": [f"Part {n}" for n in range(2, 26)], "accounts": ["@alice"]}
        too_many = {**ok, "thread": [f"Part {n}" for n in range(2, 27)]}
        results = upload(auth_api, json.dumps([ok, too_many]).encode(), name="posts.json", dry_run="true").json()["results"]
        assert results[0]["ok"] and results[0]["thread"] == 24
        assert errors_of(results[1]) == {"thread": "A thread has at most 25 parts (this one has 26)."}

    def test_a_json_thread_must_be_texts(self, auth_api, mastodon):
        rows = [{"text": "Head", "thread": [{"content": "Two"}], "accounts": ["@alice"]}]
        response = upload(auth_api, json.dumps(rows).encode(), name="posts.json", dry_run="true")
        assert response.status_code == 400 and "thread must be a list of texts" in str(response.json())


class TestImport:
    def test_a_valid_row_creates_the_thread_parts(self, auth_api, mastodon, bluesky):
        at = later()
        rows = [
            {"text": "Head", "thread": "  Two  \r\n---\r\nThree\nstill three", "accounts": f"@alice;{bluesky.pk}", "time": at.isoformat()},
            {"text": "Draft head", "thread": "", "accounts": "@alice", "time": ""},
        ]
        body = upload(auth_api, csv_bytes(rows)).json()
        assert body["status"] == "done" and body["rows_failed"] == 0, body
        threaded, single = (Post.objects.get(pk=r["post_id"]) for r in body["results"])
        assert threaded.status == Status.SCHEDULED and parts_of(threaded) == [(1, "Two"), (2, "Three\nstill three")]
        assert parts_of(single) == []

    def test_a_json_list_creates_the_same_parts(self, auth_api, mastodon):
        rows = [{"text": "Head", "thread": ["Two", "Three"], "accounts": ["@alice"], "time": later().isoformat()}]
        body = upload(auth_api, json.dumps(rows).encode(), name="posts.json").json()
        assert parts_of(Post.objects.get(pk=body["results"][0]["post_id"])) == [(1, "Two"), (2, "Three")]

    @pytest.mark.parametrize("fmt", ["csv", "json"])
    def test_an_export_imported_again_recreates_the_same_thread(self, auth_api, workspace, user, mastodon, fmt):
        original = thread_post(workspace, user, mastodon, parts=["Two\nwith a second line", "Three", "Four"], at=later())
        exported = body_of(auth_api.get(EXPORT_URL, {"format": fmt}))
        (record,) = json.loads(exported) if fmt == "json" else list(csv.DictReader(io.StringIO(exported)))
        row = {"text": record["content"], "thread": record["thread"], "accounts": record["account"], "time": record["scheduled_time"]}
        data = json.dumps([row]).encode() if fmt == "json" else csv_bytes([row])
        body = upload(auth_api, data, name=f"posts.{fmt}").json()
        assert body["rows_failed"] == 0, body
        copy = Post.objects.get(pk=body["results"][0]["post_id"])
        assert copy.pk != original.pk and copy.content == original.content
        assert parts_of(copy) == parts_of(original) == [(1, "Two\nwith a second line"), (2, "Three"), (3, "Four")]
