"""Connecting Facebook Pages and Instagram accounts with one Meta login, through our API and callback
(the Meta fake plays facebook.com and graph.facebook.com)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from social_media.models import ConnectedAccount, OAuthState
from social_media.platforms import PlatformFactory
from tests.connect.helpers import raw_column
from tests.connect.test_pending_connections import api_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def follow(url):
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    location = urlsplit(answer.headers["Location"])
    return location.path, {k: v[0] for k, v in parse_qs(location.query).items()}


@pytest.fixture
def meta_login(meta_settings, meta_fake, settings):
    settings.PUBLIC_BASE_URL = "http://testserver"
    user = meta_fake.add_user("Ada Baker")
    bakery = meta_fake.add_page(user, "Ada's Bakery", instagram="adasbakery")
    cafe = meta_fake.add_page(user, "Ada's Cafe")
    meta_fake.login = user["id"]
    return user, bakery, cafe


def login_and_callback(auth_api, client, start="facebook"):
    """Start connecting through our API, approve at the fake Meta, arrive at our callback: the token."""
    answer = auth_api.post(f"/api/v1/accounts/connect/{start}/", {})
    assert answer.status_code == 200, answer.content
    path, query = follow(answer.json()["authorization_url"])
    page = client.get(path, query)  # the browser arrives without a JWT
    assert page.status_code == 200 and b"Almost connected" in page.content, page.content[:400]
    assert not ConnectedAccount.objects.exists()  # nothing until the signed-in user confirms
    return page.context["token"], answer.json()["authorization_url"]


@pytest.mark.parametrize("start", ["facebook", "instagram"])
def test_one_meta_login_offers_every_page_and_its_instagram_account_and_connects_the_chosen(auth_api, client, meta_fake, meta_login, start):
    _user, bakery, cafe = meta_login
    token, url = login_and_callback(auth_api, client, start)
    params = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == f"/{meta_fake.version}/dialog/oauth"
    assert params["redirect_uri"] == ["http://testserver/api/v1/accounts/callback/facebook/"]  # one URI to register
    assert params["code_challenge_method"] == ["S256"] and "instagram_content_publish" in params["scope"][0]
    # the token exchange went through the long-lived exchange before reading the Pages
    grants = [r.query.get("grant_type", "code") for r in meta_fake.requests_to("/oauth/access_token")]
    assert grants == ["code", "fb_exchange_token"]

    listed = auth_api.get(f"/api/v1/accounts/connect/pending/{token}/").json()
    ig_id = bakery["instagram"]
    keys = {c["key"] for c in listed["candidates"]}
    assert keys == {f"facebook:{bakery['id']}", f"facebook:{cafe['id']}", f"instagram:{ig_id}"}
    answer = auth_api.post("/api/v1/accounts/connect/complete/",
                           {"token": token, "select": [f"facebook:{bakery['id']}", f"instagram:{ig_id}"]}, format="json")
    assert answer.status_code == 201, answer.content
    accounts = {(a.platform, a.platform_user_id): a for a in ConnectedAccount.objects.all()}
    assert set(accounts) == {("facebook", bakery["id"]), ("instagram", ig_id)}
    ig, fb = accounts[("instagram", ig_id)], accounts[("facebook", bakery["id"])]
    assert ig.platform_username == "adasbakery" and ig.platform_settings["page_id"] == bakery["id"]
    assert fb.display_name == "Ada's Bakery" and fb.workspace == auth_api.user.personal_workspace
    # the Page token to publish with, the long-lived user token to renew the login with, both encrypted
    assert meta_fake.tokens[fb.access_token]["kind"] == "page" and meta_fake.tokens[fb.refresh_token]["kind"] == "user_long"
    assert ig.access_token == fb.access_token and fb.token_expires_at is not None
    stored = raw_column("social_media_connectedaccount", "access_token", fb.id)
    assert stored.startswith("enc1:") and fb.access_token not in stored
    assert OAuthState.objects.count() == 0


def test_the_page_selection_step_connects_the_pages_named_by_id(auth_api, client, meta_fake, meta_login):
    _user, bakery, cafe = meta_login
    token, _url = login_and_callback(auth_api, client)
    wrong = auth_api.post("/api/v1/accounts/connect/facebook/select/", {"token": token, "page_ids": ["999"]}, format="json")
    assert wrong.status_code == 400 and "999" in wrong.json()["error"]["fields"]["page_ids"][0]
    assert not ConnectedAccount.objects.exists()
    answer = auth_api.post("/api/v1/accounts/connect/facebook/select/",
                           {"token": token, "page_ids": [cafe["id"], bakery["instagram"]]}, format="json")
    assert answer.status_code == 201, answer.content
    assert {(a["platform"], a["platform_user_id"]) for a in answer.json()["accounts"]} == {("facebook", cafe["id"]), ("instagram", bakery["instagram"])}
    again = auth_api.post("/api/v1/accounts/connect/facebook/select/", {"token": token, "page_ids": [bakery["id"]]}, format="json")
    assert again.status_code == 410 and ConnectedAccount.objects.count() == 2


def test_another_user_cannot_select_the_pages(auth_api, client, meta_fake, meta_login):
    token, _url = login_and_callback(auth_api, client)
    stranger = api_for(UserFactory())
    answer = stranger.post("/api/v1/accounts/connect/facebook/select/", {"token": token, "page_ids": [meta_login[1]["id"]]}, format="json")
    assert answer.status_code == 404 and not ConnectedAccount.objects.exists()


def test_exchange_code_returns_a_profile_per_page_and_instagram_account_across_pages_of_results(meta_settings, meta_fake):
    user = meta_fake.add_user("Many Pages")
    pages = [meta_fake.add_page(user, f"Page {i}", instagram=f"ig{i}" if i % 2 else None) for i in range(103)]
    pages.append(meta_fake.add_page(user, "Analyst only", tasks=("ANALYZE",)))
    meta_fake.login = user["id"]
    redirect = "http://testserver/api/v1/accounts/callback/facebook/"
    adapter = PlatformFactory.adapter_class("facebook")
    url = adapter.authorization_url(state="s", redirect_uri=redirect, code_challenge="")
    _path, query = follow(url)
    profiles = adapter.exchange_code(code=query["code"], redirect_uri=redirect, code_verifier="")
    facebook = [p for p in profiles if p.platform == "facebook"]
    instagram = [p for p in profiles if p.platform == "instagram"]
    assert [p.platform_user_id for p in facebook] == [p["id"] for p in pages[:103]]  # not the Page it cannot post to
    assert len(instagram) == 51 and all(p.tokens.access_token for p in profiles)
    assert len(meta_fake.requests_to("/me/accounts")) == 2  # limit=100, then paging.next


def test_a_declined_meta_login_says_so_and_connects_nothing(auth_api, client, meta_fake, meta_login):
    meta_fake.deny_authorization = True
    url = auth_api.post("/api/v1/accounts/connect/facebook/", {}).json()["authorization_url"]
    path, query = follow(url)
    page = client.get(path, query)
    assert page.status_code == 400 and b"declined" in page.content
    assert ConnectedAccount.objects.count() == 0


def test_a_login_without_pages_explains_why_nothing_was_connected(auth_api, client, meta_fake, meta_settings, settings):
    settings.PUBLIC_BASE_URL = "http://testserver"
    meta_fake.login = meta_fake.add_user("No Pages")["id"]
    url = auth_api.post("/api/v1/accounts/connect/facebook/", {}).json()["authorization_url"]
    page = client.get(*follow(url))
    assert page.status_code == 400 and b"no Facebook Page you can post to" in page.content
    assert ConnectedAccount.objects.count() == 0


def test_a_reused_code_is_refused_in_words(meta_settings, meta_fake, meta_login):
    adapter = PlatformFactory.adapter_class("facebook")
    redirect = "http://testserver/api/v1/accounts/callback/facebook/"
    _path, query = follow(adapter.authorization_url(state="s", redirect_uri=redirect, code_challenge=""))
    adapter.exchange_code(code=query["code"], redirect_uri=redirect, code_verifier="")
    from social_media.platforms.base import PlatformError

    with pytest.raises(PlatformError, match="authorization code has been used"):
        adapter.exchange_code(code=query["code"], redirect_uri=redirect, code_verifier="")


def test_a_login_without_the_instagram_permissions_still_connects_the_pages(meta_settings, meta_fake, meta_login):
    meta_fake.instagram_granted = False
    adapter = PlatformFactory.adapter_class("facebook")
    redirect = "http://testserver/api/v1/accounts/callback/facebook/"
    _path, query = follow(adapter.authorization_url(state="s", redirect_uri=redirect, code_challenge=""))
    profiles = adapter.exchange_code(code=query["code"], redirect_uri=redirect, code_verifier="")
    assert [p.platform for p in profiles] == ["facebook", "facebook"]


def test_without_the_meta_app_connect_answers_503_naming_the_settings(auth_api, settings):
    settings.META_APP_ID = ""
    for platform in ("facebook", "instagram"):
        answer = auth_api.post(f"/api/v1/accounts/connect/{platform}/", {})
        assert answer.status_code == 503, answer.content
        assert "META_APP_ID" in answer.json()["error"]["message"]


def test_the_platform_list_shows_both_meta_networks_and_their_limits(auth_api, meta_settings):
    rows = {row["key"]: row for row in auth_api.get("/api/v1/platforms/").json()}
    assert rows["facebook"]["configured"] and rows["facebook"]["connect_style"] == "oauth"
    assert rows["facebook"]["content_limits"]["max_characters"] == 63_206
    assert rows["instagram"]["content_limits"]["max_hashtags"] == 30 and rows["instagram"]["content_limits"]["media_required"]
