"""In Chromium: a person subscribes to a feed on the Feeds page, checks it now, and deletes it after the
page asks first. The page fixture fails the test on any console error (a CSP refusal included), and
`check` runs axe and the overflow check at both widths."""

import pytest

from feeds.models import FeedSubscription
from tests.factories import PASSWORD, ConnectedAccountFactory, UserFactory
from tests.feeds.feed_server import FeedServer, Item, rss

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def feed_server():
    server = FeedServer()
    server.start()
    yield server
    server.stop()


def test_a_person_subscribes_checks_and_deletes_a_feed(page, feed_server):
    user = UserFactory(username="fern")
    account = ConnectedAccountFactory(workspace=user.personal_workspace, platform="mastodon", platform_username="fern")
    feed_server.serve("/rss", rss([Item("Hello", "https://blog.example/hello", guid="hello")]))
    page.open("/login/")
    page.find("#id_username").send_keys("fern")
    page.find("#id_password").send_keys(PASSWORD)
    page.find("main button[type=submit]").click()
    page.wait_for("#workspace-switch")  # signed in (an <h1> could still be the login page's)

    page.open("/feeds/")
    page.find("#id_url").send_keys(feed_server.url("/rss"))
    page.find(f'#new-feed input[name=accounts][value="{account.pk}"]').click()
    page.find("#new-feed button[type=submit]").click()
    page.wait_for(".message.success")
    feed = FeedSubscription.objects.get()
    page.check("feeds")

    page.find(f'#feed-{feed.pk} form[action$="/check/"] button').click()
    page.wait_until(lambda: "Checked Example blog" in page.find(".messages").text, message="Check now did not answer")
    assert "Hello" in page.find(f"#feed-{feed.pk}").text

    page.find(f'#feed-{feed.pk} form[action$="/delete/"] button').click()
    alert = page.driver.switch_to.alert
    assert "Unsubscribe from Example blog?" in alert.text
    alert.accept()
    page.wait_until(lambda: "Unsubscribed" in page.find(".messages").text, message="the feed was not deleted")
    assert not FeedSubscription.objects.exists()
