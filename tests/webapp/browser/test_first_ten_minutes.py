"""Issue 14's "done when", in Chromium at 1280 px and at 390 px: a person connects a mastodon-mock
account from the Accounts page, gives its new posting schedule a time a few minutes ahead, composes
with an image and its alt text, schedules at the suggested slot, finds the post on the calendar, and
a real Celery worker and beat publish it to mastodon-mock with that alt text. Every page on the way
passes axe and the overflow check, and any console error (a CSP violation included) fails the test."""

import secrets
import tempfile
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from social_media.models import ConnectedAccount, Post, PostQueue, Status
from tests.engine.processes import start_beat, start_worker, stop, wait_ready, wait_until
from tests.factories import PASSWORD, UserFactory
from tests.webapp.browser.conftest import WIDTHS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.e2e]
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ALT = "A red square on a white table"


@pytest.fixture
def celery(tmp_path):
    """A worker for every queue the journey uses (media, posting, default) and beat, started at once
    and waited for only when the post is due (they warm up while the person works)."""
    log = open(tmp_path / "worker.log", "w")
    procs = [start_worker(queues="posting,default,media", concurrency=4, log=log, loglevel="INFO"), start_beat()]
    yield tmp_path / "worker.log"
    for proc in procs:
        stop(proc)
    log.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_first_ten_minutes(page, width, live_server, settings, mastodon_mock, celery):
    from selenium.webdriver.common.by import By

    settings.PUBLIC_BASE_URL = live_server.url
    driver = page.driver
    driver.set_window_size(*WIDTHS[width])
    UserFactory(username="dana")  # the time zone stays UTC: the queue's times are UTC times
    remote = mastodon_mock.new_user(f"dana{secrets.token_hex(3)}")

    # --- Log in, connect the mastodon-mock account from the Accounts page -----------------------------
    page.open("/login/")
    page.find("#id_username").send_keys("dana")
    page.find("#id_password").send_keys(PASSWORD)
    page.find("main button[type=submit]").click()
    page.wait_for("#first-run")
    page.open("/accounts/")
    page.find("#id_mastodon-instance_url").send_keys(mastodon_mock.base_url)
    page.find("#connect-mastodon ~ form button[type=submit]").click()
    page.wait_for(f'button[name=username][value="{remote.username}"]').click()
    page.wait_for("#connect-confirm-button").click()
    page.wait_for(".message.success")
    account = ConnectedAccount.objects.get(platform="mastodon")

    # --- Its new schedule gets a time a few minutes ahead ---------------------------------------------
    queue = PostQueue.objects.get(target_accounts=account)
    slot = (datetime.now(UTC) + timedelta(minutes=3)).replace(second=0, microsecond=0)
    page.open(f"/queues/{queue.pk}/edit/")
    day = page.find(f"#id_day_{DAYS[slot.weekday()]}")
    day.send_keys(f", {slot:%H:%M}")
    page.find("main form button[type=submit]").click()
    page.wait_for(".message.success")

    # --- Compose with an image and its alt text; schedule at the suggested slot -----------------------
    page.open("/compose/")
    assert page.find(f'input[name=accounts][value="{account.pk}"]').is_selected()  # the only account
    suggested = page.find("#id_scheduled_time").get_attribute("value")
    assert suggested.startswith(f"{slot:%Y-%m-%dT%H:%M}"), suggested
    page.find("#id_content").send_keys("Our first post, from the scheduler.")
    with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as image:
        Image.new("RGB", (160, 120), "red").save(image, "PNG")
    page.find("#id_upload").send_keys(image.name)
    page.find("#id_upload_alt").send_keys(ALT)
    page.check(f"compose-{width}")
    driver.set_window_size(*WIDTHS[width])  # check() looks at both widths, then leaves 1280 px
    page.find("button[name=action][value=schedule]").click()
    page.wait_for(".message.success")
    post = Post.objects.get()
    assert post.status == Status.SCHEDULED and post.scheduled_time == slot

    # --- The calendar shows it ----------------------------------------------------------------------
    page.open("/calendar/")
    page.wait_for(f'.fc-event[data-post-id="{post.pk}"], [data-post-id="{post.pk}"]')
    assert driver.find_elements(By.CSS_SELECTOR, f'[data-post-id="{post.pk}"]')

    # --- The worker publishes it at its time, with the alt text ---------------------------------------
    wait_ready(celery, timeout=180)
    wait_until(lambda: Post.objects.get().status == Status.POSTED, timeout=(slot - datetime.now(UTC)).total_seconds() + 90, interval=1)
    [status] = mastodon_mock.statuses_of(remote)
    assert "Our first post, from the scheduler." in status["content"]
    assert [m["description"] for m in status["media_attachments"]] == [ALT]
    page.open(f"/posts/{post.pk}/")
    assert "Posted" in page.find("main").text or "posted" in page.find("main").text
