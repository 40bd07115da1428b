"""Connecting Reddit through our API and callback (permanent authorization, refresh token kept), and
the engine publishing to Reddit exactly once."""

from urllib.parse import parse_qs, urlsplit

import pytest

from social_media.models import ConnectedAccount, PostTarget, Status
from social_media.services.publishing import publish_batch
from tests.connect.helpers import follow_authorization, raw_column
from tests.connect.test_connect_flows import confirm
from tests.engine.conftest import due_target

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reddit_user(reddit_settings, reddit_fake):
    reddit_settings.PUBLIC_BASE_URL = "http://testserver"
    user = reddit_fake.add_user("carol")
    reddit_fake.authorize_as = user
    return user


def test_reddit_connects_with_a_permanent_authorization(auth_api, reddit_user, reddit_fake, client):
    answer = auth_api.post("/api/v1/accounts/connect/reddit/", {})
    assert answer.status_code == 200, answer.content
    url = answer.json()["authorization_url"]
    params = parse_qs(urlsplit(url).query)
    assert params["duration"] == ["permanent"] and params["client_id"] == ["reddit-app"]
    assert set(params["scope"][0].split()) == {"identity", "submit", "read", "history", "edit", "flair"}
    assert params["redirect_uri"] == ["http://testserver/api/v1/accounts/callback/reddit/"]

    page = client.get(*follow_authorization(url))
    assert not ConnectedAccount.objects.exists()  # nothing until the signed-in user confirms
    [shown] = confirm(auth_api, page)
    account = ConnectedAccount.objects.get(platform="reddit")
    assert shown["id"] == account.id and "refresh_token" not in shown
    assert (account.platform_user_id, account.platform_username) == (reddit_user.id, "carol")
    assert account.refresh_token in reddit_fake.refresh_tokens and account.token_expires_at is None
    assert raw_column("social_media_connectedaccount", "refresh_token", account.id).startswith("enc1:")
    token_call = reddit_fake.requests_to("/api/v1/access_token", "POST")[0]
    assert token_call.form["grant_type"] == "authorization_code" and token_call.headers["authorization"].startswith("Basic ")


def test_a_denied_reddit_authorization_connects_nothing(auth_api, reddit_user, client):
    url = auth_api.post("/api/v1/accounts/connect/reddit/", {}).json()["authorization_url"]
    state = parse_qs(urlsplit(url).query)["state"][0]
    page = client.get("/api/v1/accounts/callback/reddit/", {"state": state, "error": "access_denied"})
    assert page.status_code == 400 and b"declined" in page.content
    assert not ConnectedAccount.objects.exists()


def test_a_code_reddit_refuses_is_explained(auth_api, reddit_user, client):
    url = auth_api.post("/api/v1/accounts/connect/reddit/", {}).json()["authorization_url"]
    state = parse_qs(urlsplit(url).query)["state"][0]
    page = client.get("/api/v1/accounts/callback/reddit/", {"state": state, "code": "not-a-code"})
    assert page.status_code == 400 and b"invalid_grant" in page.content
    assert not ConnectedAccount.objects.exists()


def test_reddit_without_credentials_names_the_missing_settings(auth_api, settings):
    settings.REDDIT_CLIENT_ID = settings.REDDIT_CLIENT_SECRET = ""
    answer = auth_api.post("/api/v1/accounts/connect/reddit/", {})
    assert answer.status_code == 503 and "REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET" in answer.json()["error"]["message"]


def _reddit_target(account, title):
    target = due_target(account, f"Body of {title}")
    PostTarget.objects.filter(id=target.id).update(platform_specific_settings={"subreddit": "scheduler_test", "title": title})
    return target


def test_the_engine_settles_a_5xx_after_reddit_stored_the_post_without_a_duplicate(reddit_account, reddit_fake):
    targets = [_reddit_target(reddit_account, f"Engine post {n}") for n in range(3)]
    reddit_fake.fail_next("after_store", path="/api/submit/", method="POST", status=503)
    outcomes = publish_batch(target_ids=[t.id for t in targets])
    assert {o.status for o in outcomes.values()} == {Status.POSTED}
    assert sorted(p.title for p in reddit_fake.posts) == ["Engine post 0", "Engine post 1", "Engine post 2"]
    for target in PostTarget.objects.filter(id__in=[t.id for t in targets]):
        assert reddit_fake.post(target.platform_post_id).title == target.platform_specific_settings["title"]


def test_a_revoked_reddit_grant_marks_the_account_for_reconnect(reddit_account, reddit_fake):
    reddit_fake.revoke(reddit_account.refresh_token)
    target = _reddit_target(reddit_account, "Never")
    outcome = publish_batch(target_ids=[target.id])[target.id]
    reddit_account.refresh_from_db()
    assert outcome.status == Status.FAILED and reddit_account.needs_reconnect and "invalid_grant" in reddit_account.last_error
    assert reddit_fake.posts == []
