"""Per-target network settings through the API: Reddit targets name subreddit, title and flair, and
a post is refused at schedule time with field errors when they are missing or wrong."""

import pytest

from social_media.models import PostTarget, Status
from tests.factories import ConnectedAccountFactory

from .helpers import in_future, iso

pytestmark = pytest.mark.django_db

URL = "/api/v1/posts/"


@pytest.fixture
def reddit(workspace):
    return ConnectedAccountFactory(workspace=workspace, platform="reddit", platform_username="alice", platform_settings={})


def test_scheduling_a_reddit_target_without_subreddit_or_title_answers_field_errors(auth_api, reddit, account):
    body = {"content": "Hello", "target_accounts": [reddit.pk, account.pk], "scheduled_time": iso(in_future(hours=1))}
    response = auth_api.post(URL, body, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]["target_settings"][str(reddit.pk)]
    assert set(fields) == {"subreddit", "title"} and "need a title" in fields["title"][0]
    assert str(account.pk) not in response.json()["error"]["fields"]["target_settings"]
    assert not PostTarget.objects.exists()  # all or nothing


def test_a_reddit_target_with_valid_settings_is_scheduled_and_shows_them(auth_api, reddit):
    settings = {"subreddit": "r/python", "title": "Release notes", "flair_id": "f-news"}
    body = {"content": "Hello", "target_accounts": [reddit.pk], "scheduled_time": iso(in_future(hours=1)),
            "target_settings": {str(reddit.pk): settings}}
    response = auth_api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    target = PostTarget.objects.get(post_id=response.json()["id"])
    assert target.status == Status.SCHEDULED and target.platform_specific_settings == settings
    assert response.json()["targets"][0]["platform_specific_settings"] == settings


def test_bad_reddit_settings_name_what_to_change(auth_api, reddit):
    settings = {"subreddit": "no spaces allowed", "title": "t" * 301, "flair_text": "Custom", "colour": "red"}
    body = {"content": "Hello", "target_accounts": [reddit.pk], "target_settings": {str(reddit.pk): settings}}
    draft = auth_api.post(URL, body, format="json")
    assert draft.status_code == 201  # a draft may be incomplete
    response = auth_api.post(f"{URL}{draft.json()['id']}/schedule/", {"scheduled_time": iso(in_future(hours=2))}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]["target_settings"][str(reddit.pk)]
    assert "not a subreddit name" in fields["subreddit"][0] and "remove 1" in fields["title"][0]
    assert "needs the flair_id" in fields["flair_text"][0] and "colour" in fields["non_field_errors"][0]


def test_settings_for_an_account_that_is_not_a_target_are_refused(auth_api, reddit, account):
    body = {"content": "Hello", "target_accounts": [account.pk], "target_settings": {str(reddit.pk): {"title": "x"}}}
    response = auth_api.post(URL, body, format="json")
    assert response.status_code == 400 and response.json()["error"]["fields"]["target_settings"][str(reddit.pk)]


def test_target_settings_must_be_objects(auth_api, reddit):
    body = {"content": "Hello", "target_accounts": [reddit.pk], "target_settings": {str(reddit.pk): "python"}}
    response = auth_api.post(URL, body, format="json")
    assert response.status_code == 400 and "target_settings" in response.json()["error"]["fields"]


@pytest.mark.parametrize("settings", [{"title": "a\x00b"}, {"ti\x00tle": "x"}, {"flair": ["ok", {"deep": "\x00"}]}])
def test_a_nul_character_anywhere_in_target_settings_is_a_field_error(auth_api, reddit, settings):
    """PostgreSQL's jsonb refuses \\u0000: it reached the UPDATE and answered 500."""
    body = {"content": "Hello", "target_accounts": [reddit.pk], "target_settings": {str(reddit.pk): settings}}
    response = auth_api.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["target_settings"] == {str(reddit.pk): ["Text cannot contain NUL characters (\\u0000)."]}
    assert not PostTarget.objects.exists()
