"""The composer's first comment: a textarea and a delay select, saved through the same service as the
API, refused next to the field per network, shown again when the post is edited; the post page shows
each target's comment status and link."""

import pytest
from django.urls import reverse

from first_comments.models import FirstComment, FirstCommentDelivery
from social_media.models import Post, PostTarget, Status

pytestmark = pytest.mark.django_db


def compose(client, **data):
    return client.post(reverse("webapp:compose"), data)


def test_the_composer_has_a_first_comment_and_a_delay_without_inline_script(editor, mastodon):
    html = editor.get(reverse("webapp:compose")).content.decode()
    assert 'name="first_comment"' in html and '<select name="first_comment_delay"' in html
    assert '<option value="3600">1 hour after</option>' in html
    assert "onclick=" not in html and "<script>" not in html


def test_a_draft_is_saved_with_its_first_comment(editor, mastodon, bluesky):
    response = compose(editor, accounts=[mastodon.pk, bluesky.pk], content="Hello", first_comment="Links below", first_comment_delay="300",
                       action="draft")
    assert response.status_code == 302
    comment = FirstComment.objects.get(post=Post.objects.get())
    assert (comment.content, comment.delay_seconds) == ("Links below", 300)


def test_a_first_comment_too_long_for_bluesky_is_refused_next_to_it(editor, bluesky):
    response = compose(editor, accounts=[bluesky.pk], content="Hello", first_comment="x" * 301, action="draft")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_first_comment_error"' in html and "Bluesky allows 300 characters; this comment has 301." in html
    assert not Post.objects.exists()


def test_editing_shows_the_comment_and_emptying_it_removes_it(editor, mastodon):
    compose(editor, accounts=[mastodon.pk], content="Hello", first_comment="Links", first_comment_delay="60", action="draft")
    post = Post.objects.get()
    html = editor.get(reverse("webapp:edit", kwargs={"post_id": post.pk})).content.decode()
    assert "Links</textarea>" in html and '<option value="60" selected>' in html
    editor.post(reverse("webapp:edit", kwargs={"post_id": post.pk}), {"accounts": [mastodon.pk], "content": "Hello", "action": "draft"})
    assert not FirstComment.objects.exists()


def test_the_post_page_shows_each_targets_first_comment(editor, mastodon):
    compose(editor, accounts=[mastodon.pk], content="Hello", first_comment="Links", action="draft")
    post = Post.objects.get()
    target = PostTarget.objects.get()
    PostTarget.objects.filter(id=target.id).update(status=Status.POSTED, platform_post_id="1")
    FirstCommentDelivery.objects.create(target=target, content="Links", status="posted", due_at="2030-01-01T00:00:00Z",
                                        url="https://mastodon.example/@alice/2")
    html = editor.get(reverse("webapp:post_detail", kwargs={"post_id": post.pk})).content.decode()
    assert "First comment" in html and 'href="https://mastodon.example/@alice/2"' in html
