"""The admin shows each target's network settings (a Reddit target's subreddit and title)."""

import pytest

from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory

pytestmark = pytest.mark.django_db


def test_the_post_page_shows_a_reddit_targets_subreddit_and_title(admin_client, workspace):
    account = ConnectedAccountFactory(workspace=workspace, platform="reddit", platform_settings={})
    post = PostFactory(workspace=workspace)
    target = PostTargetFactory(post=post, account=account, platform_specific_settings={"subreddit": "python", "title": "Release notes"})
    page = admin_client.get(f"/admin/social_media/post/{post.pk}/change/")
    assert page.status_code == 200 and b"Release notes" in page.content and b"python" in page.content
    page = admin_client.get(f"/admin/social_media/posttarget/{target.pk}/change/")
    assert page.status_code == 200 and b"Release notes" in page.content
