"""The problems page reads problems alone: each of its queries finds targets by their status, so the
workspace's history of published posts (300,000 in bench/calendar_feed.py) costs it nothing."""

import pytest
from django.db import connection
from django.urls import reverse

from social_media.models import Post, PostTarget, Status
from social_media.services.accounts import DISCONNECTED_MESSAGE
from tests.factories import PostFactory, PostTargetFactory
from webapp.queries import disconnected_posts

pytestmark = pytest.mark.django_db


def plan(queryset):
    """PostgreSQL's plan with sequential scans off: what an index can do for the query."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_disconnected_posts_are_found_by_the_failed_targets_index(team_workspace, mastodon):
    """Before, the query matched the error message alone, which no index covers: PostgreSQL read every
    target of every post (2 ms at 6,000 posts, 159 ms at 300,000). The plan is taken over a history of
    published posts with fresh statistics, as the page meets it (on empty tables the planner's choice
    depends on whatever statistics the run left behind)."""
    posts = Post.objects.bulk_create([Post(workspace=team_workspace, content=f"Out {i}", status=Status.POSTED) for i in range(2000)])
    PostTarget.objects.bulk_create([PostTarget(post=post, account=mastodon, status=Status.POSTED) for post in posts])
    failed = PostFactory(workspace=team_workspace, status=Status.FAILED)
    PostTargetFactory(post=failed, account=mastodon, status=Status.FAILED, error_message=DISCONNECTED_MESSAGE)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE social_media_post, social_media_posttarget")
    text = plan(disconnected_posts(team_workspace)[:50])
    assert "Index Cond: ((status)::text = 'failed'::text)" in text, text


def test_the_page_lists_the_workspaces_disconnected_posts_newest_first(editor, team_workspace, mastodon, other_workspace):
    older = PostFactory(workspace=team_workspace, status=Status.FAILED, content="Older")
    PostTargetFactory(post=older, account=mastodon, status=Status.FAILED, error_message=DISCONNECTED_MESSAGE)
    newer = PostFactory(workspace=team_workspace, status=Status.FAILED, content="Newer")
    PostTargetFactory(post=newer, account=mastodon, status=Status.FAILED, error_message=DISCONNECTED_MESSAGE)
    other_reason = PostFactory(workspace=team_workspace, status=Status.FAILED, content="Refused")
    PostTargetFactory(post=other_reason, account=mastodon, status=Status.FAILED, error_message="The instance answered 422.")
    theirs = other_workspace["target"]
    theirs.error_message = DISCONNECTED_MESSAGE
    theirs.save()
    assert list(disconnected_posts(team_workspace)) == [newer, older]
    html = editor.get(reverse("webapp:problems")).content.decode()
    section = html[html.index("Posts whose account was disconnected"):]
    assert section.index("Newer") < section.index("Older") and "Refused" not in section
