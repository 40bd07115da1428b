"""Connecting accounts in a real Chromium, as a person does: Connect on the Accounts page, authorize on
the network's own page (mastodon-mock's account chooser; the X fake's consent page), confirm on the
web app's page, and find the account on the Accounts page. The page fixture fails the test on any
console error, so a Connect button the CSP stops (form-action) fails here."""

import secrets

import pytest

from accounts.models import Membership
from social_media.models import ConnectedAccount
from tests.factories import PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def dana(db, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url  # the networks send the browser back to this server
    user = UserFactory(username="dana")
    return user


def log_in(page, username="dana"):
    page.open("/login/")
    page.find("#id_username").send_keys(username)
    page.find("#id_password").send_keys(PASSWORD)
    page.find("main button[type=submit]").click()
    page.wait_for("#workspace-switch")  # signed in (an <h1> could still be the login page's)


def confirm_and_see(page, handle):
    """On the web app's confirmation page: the account found is shown and checked; connect it."""
    page.wait_for("#connect-confirm-button")
    assert handle in page.find("#connect-confirm").text
    assert page.find("#candidate-1").is_selected()
    page.check("connect-confirm")
    page.find("#connect-confirm-button").click()
    page.wait_for(".message.success")
    assert page.driver.current_url.endswith("/accounts/")
    assert handle in page.find("main table.list").text


def test_a_person_connects_a_mastodon_account_from_the_accounts_page(page, dana, mastodon_mock):
    remote = mastodon_mock.new_user(f"ada{secrets.token_hex(3)}")
    log_in(page)
    page.open("/accounts/")
    page.find("#id_mastodon-instance_url").send_keys(mastodon_mock.base_url)
    page.find("#connect-mastodon ~ form button[type=submit]").click()

    # mastodon-mock's authorization page: the person picks their account.
    chooser = page.wait_for(f'button[name=username][value="{remote.username}"]')
    assert page.driver.current_url.startswith(mastodon_mock.base_url + "/oauth/authorize")
    chooser.click()

    page.wait_for("#connect-confirm-button")
    avatar = page.find("#connect-confirm img.avatar")  # the picture mastodon-mock serves, allowed by this page's CSP
    page.wait_until(lambda: page.driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", avatar), message="the avatar did not load")
    confirm_and_see(page, f"@{remote.username}@")
    account = ConnectedAccount.objects.get(platform="mastodon")
    assert account.workspace == dana.personal_workspace and account.platform_user_id == remote.id


def test_a_person_connects_an_x_account_on_x_s_consent_page_into_the_chosen_workspace(page, dana, x_settings, x_fake):
    team = WorkspaceFactory(name="Acme Social")
    MembershipFactory(user=dana, workspace=team, role=Membership.Role.ADMIN)
    x_fake.consent_page = True
    someone = x_fake.add_user("acme_news", name="Acme News")
    x_fake.login_as(someone)
    log_in(page)
    page.open("/accounts/")
    page.find("#connect-x ~ form button[type=submit]").click()

    page.wait_for("#allow")
    assert "@acme_news" in page.find("body").text
    page.find("#allow").click()

    page.wait_for("#connect-workspace")
    avatar = page.find("#connect-confirm img.avatar")  # profile_image_url, allowed by this page's CSP
    page.wait_until(lambda: page.driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", avatar), message="the avatar did not load")
    from selenium.webdriver.support.ui import Select

    choice = Select(page.find("#connect-workspace"))
    assert choice.first_selected_option.text == "dana's workspace"  # where Connect was clicked
    choice.select_by_visible_text("Acme Social")
    confirm_and_see(page, "@acme_news")
    account = ConnectedAccount.objects.get(platform="x")
    assert account.workspace == team and account.platform_user_id == someone.id and account.refresh_token


def test_cancelling_on_x_s_consent_page_comes_back_saying_so(page, dana, x_settings, x_fake):
    x_fake.consent_page = True
    x_fake.login_as(x_fake.add_user("acme_news"))
    log_in(page)
    page.open("/accounts/")
    page.find("#connect-x ~ form button[type=submit]").click()
    page.wait_for("#cancel").click()

    page.wait_for(".message.error")
    assert "You declined the authorization." in page.find(".message.error").text
    assert page.driver.current_url.endswith("/accounts/")
    assert not ConnectedAccount.objects.exists()
