"""The admin: subscriptions with their last poll and error, items read-only inline, the API's checks on
the form, and a poll-now action that calls the same service."""

import pytest
from django.urls import reverse

from feeds import services
from feeds.models import FeedSubscription
from tests.factories import UserFactory

from .feed_server import Item, rss

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = UserFactory(username="root")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    return client


def test_the_list_shows_the_last_poll_and_error_and_the_page_its_items(staff_client, feed_server, user, account):
    feed_server.serve("/rss", rss([Item("Seen before", "https://blog.example/seen", guid="seen")]))
    subscription = services.subscription_create(workspace=account.workspace, user=user, url=feed_server.url("/rss"), accounts=[account])
    broken = services.subscription_create(workspace=account.workspace, user=user, url=feed_server.url("/gone"), accounts=[account])
    services.poll(subscription_id=subscription.pk)
    services.poll(subscription_id=broken.pk)

    listing = staff_client.get(reverse("admin:feeds_feedsubscription_changelist"))
    page = staff_client.get(reverse("admin:feeds_feedsubscription_change", args=[subscription.pk]))

    assert listing.status_code == 200 and "The feed answered HTTP 404." in listing.text
    assert page.status_code == 200
    assert "Seen before" in page.text and "guid:seen" in page.text
    assert 'name="items-0-title"' not in page.text  # read-only inline


def test_the_form_refuses_a_private_address_and_poll_now_polls(staff_client, feed_server, user, account):
    form = {"workspace": account.workspace.pk, "url": "http://169.254.169.254/latest/", "accounts": str(account.pk),
            "template": "{title} {link}", "mode": "draft", "poll_interval_minutes": 30, "is_active": "on",
            "items-TOTAL_FORMS": 0, "items-INITIAL_FORMS": 0}

    refused = staff_client.post(reverse("admin:feeds_feedsubscription_add"), form)

    assert refused.status_code == 200 and "is not a public internet address" in refused.text
    assert not FeedSubscription.objects.exists()
    feed_server.serve("/rss", rss([Item("One", "https://blog.example/one", guid="one")]))
    created = staff_client.post(reverse("admin:feeds_feedsubscription_add"), {**form, "url": feed_server.url("/rss")})
    assert created.status_code == 302
    subscription = FeedSubscription.objects.get()
    assert subscription.next_poll_at is not None and subscription.created_by.username == "root"

    done = staff_client.post(reverse("admin:feeds_feedsubscription_changelist"),
                             {"action": "poll_now", "_selected_action": [subscription.pk]}, follow=True)

    assert "Polled 1 feed(s): 0 post(s) created, 0 error(s)." in done.text
    assert subscription.items.get().outcome == "skipped"
