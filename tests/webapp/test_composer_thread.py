"""The composer's thread (docs/threads.md): parts added as `thread_part` textareas, saved in order,
their per-part counters from the live check, and a part's errors shown next to it."""

import re

import pytest
from django.urls import reverse

from social_media.models import Post, ThreadPart

pytestmark = pytest.mark.django_db


def test_it_saves_the_parts_in_order_and_drops_empty_ones(editor, mastodon):
    response = editor.post(reverse("webapp:compose"), {
        "accounts": [mastodon.pk], "content": "Part one", "thread_part": ["Part two", "", "Part three"], "action": "draft",
    })
    assert response.status_code == 302
    post = Post.objects.get()
    assert list(ThreadPart.objects.filter(post=post).values_list("position", "content")) == [(1, "Part two"), (2, "Part three")]
    page = editor.get(reverse("webapp:edit", kwargs={"post_id": post.pk})).content.decode()
    assert re.findall(r'<textarea name="thread_part" id="thread-part-(\d)"[^>]*>([^<]*)</textarea>', page) == [("0", "Part two"), ("1", "Part three")]
    assert 'src="/static/webapp/thread.js"' in page or "webapp/thread.js" in page


def test_a_part_too_long_for_a_network_is_refused_next_to_that_part(editor, mastodon):
    response = editor.post(reverse("webapp:compose"), {
        "accounts": [mastodon.pk], "content": "Fine", "thread_part": ["ok", "y" * 501], "action": "schedule",
        "scheduled_time": "2035-01-31T09:00",
    })
    assert response.status_code == 400
    page = response.content.decode()
    part = page.split('id="thread-part-1"')[1].split("</li>")[0]
    assert 'class="error"' in part and "500" in part
    assert not Post.objects.exists()


def test_the_live_check_counts_each_part_per_network(editor, mastodon, bluesky):
    response = editor.post(reverse("webapp:compose_validate"), {
        "accounts": [mastodon.pk, bluesky.pk], "content": "Head", "thread_part": ["Twelve chars", "z" * 301],
    }, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    first = html.split('id="part-check-0"')[1].split("</div>")[0]
    second = html.split('id="part-check-1"')[1].split("</div>")[0]
    assert 'hx-swap-oob="true"' in html
    assert "12 / 500" in first and "12 / 300" in first and "error" not in first
    assert "301 / 300" in second and 'class="error"' in second


def test_a_network_that_cannot_thread_says_so_in_the_part_check(editor, team_workspace):
    from tests.factories import ConnectedAccountFactory

    page = ConnectedAccountFactory(workspace=team_workspace, platform="facebook", platform_settings={})
    html = editor.post(reverse("webapp:compose_validate"), {"accounts": [page.pk], "content": "Head", "thread_part": ["Two"]},
                       HTTP_HX_REQUEST="true").content.decode()
    assert "cannot publish a thread" in html.split('id="part-check-0"')[1].split("</div>")[0]


def test_the_post_page_shows_the_parts_and_links_each_published_part(editor, mastodon, team_workspace):
    from django.utils import timezone

    from social_media.models import Status, TargetPartPublication
    from tests.factories import PostFactory, PostTargetFactory

    post = PostFactory(workspace=team_workspace, content="Head", status=Status.POSTED)
    target = PostTargetFactory(post=post, account=mastodon, status=Status.POSTED, platform_post_url="https://mastodon.example/@alice/1")
    ThreadPart.objects.create(post=post, position=1, content="Second part")
    for position in (0, 1):
        TargetPartPublication.objects.create(target=target, position=position, platform_post_id=str(position + 1),
                                             platform_post_url=f"https://mastodon.example/@alice/{position + 1}", posted_at=timezone.now())
    page = editor.get(reverse("webapp:post_detail", kwargs={"post_id": post.pk})).content.decode()
    assert "Second part" in page
    assert '<a href="https://mastodon.example/@alice/2" rel="noopener">Part 2</a>' in page
