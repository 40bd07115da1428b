"""The composer and the post page in Chromium, as a newcomer meets them (issue 14 §3): on a phone, with
one connected account and an image, through a refused time and back; Publish now; what a published
post offers; the header's workspace name. Every test fails on any console error (the browser
conftest reads Chromium's log after each test; the one expected entry is taken out where it is logged)."""

import tempfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from accounts.models import Membership
from media.models import MediaFile
from social_media.models import Post, PostTarget, Status
from tests.factories import PASSWORD, ConnectedAccountFactory, MembershipFactory, PostFactory, PostTargetFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)
BERLIN = ZoneInfo("Europe/Berlin")
PHONE, DESKTOP = (390, 844), (1280, 900)
WORKSPACE = "Acme Social Media Marketing Team"


REFUSED_FORM = "/compose/ - Failed to load resource: the server responded with a status of 400 (Bad Request)"


def severe(page):
    """Console errors logged since the last look (reading drains Chromium's log)."""
    return [f"{e['source']}: {e['message']}" for e in page.driver.get_log("browser") if e["level"] == "SEVERE"]


def refused_form_logged(page):
    """A refused form is answered 400 (the project's convention), which Chromium logs as a failed load
    of the page: that one entry is expected here (and read off the log, so the conftest's check at the
    end of the test does not see it); anything else is an error."""
    errors = severe(page)
    assert [e for e in errors if REFUSED_FORM not in e] == [], errors
    assert any(REFUSED_FORM in e for e in errors), errors


@pytest.fixture
def world(db):
    user = UserFactory(username="newcomer")
    user.timezone = "Europe/Berlin"
    user.save()
    workspace = WorkspaceFactory(name=WORKSPACE)
    MembershipFactory(user=user, workspace=workspace, role=Membership.Role.OWNER)
    # The longest name Mastodon allows (30 characters): its tab ran off a phone's screen.
    account = ConnectedAccountFactory(workspace=workspace, platform="mastodon", platform_username="acme_social_media_marketing_te")
    return {"user": user, "workspace": workspace, "account": account}


def enter(page, world, size=DESKTOP):
    from selenium.webdriver.support.ui import Select

    page.driver.set_window_size(*size)
    page.open("/login/")
    page.find("#id_username").send_keys("newcomer")
    page.find("#id_password").send_keys(PASSWORD)
    page.find("main button[type=submit]").click()
    # The switcher exists only once signed in: waiting for an <h1> could still find the login page's.
    Select(page.wait_for("#workspace-switch")).select_by_value(str(world["workspace"].pk))
    page.wait_until(lambda: WORKSPACE in page.find("h1").text, message="did not switch to the team's workspace")


def rect(page, css):
    return page.driver.execute_script("var r = document.querySelector(arguments[0]).getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};", css)


def off_screen(page, css):
    """The visible elements matching css that reach past the viewport's left or right edge."""
    return page.driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).filter(function (e) { var r = e.getBoundingClientRect();"
        " return r.width > 0 && (r.left < 0 || r.right > document.documentElement.clientWidth); }).map(function (e) { return e.textContent.trim(); });", css)


def type_time(page, day_month_year, hour_minute_ampm):
    """Pick a time the way a person does in Chromium's datetime-local (en-US: mm/dd/yyyy, hh:mm AM):
    no seconds are typed. With a seconds field (step=1) the input stays empty."""
    from selenium.webdriver.common.keys import Keys

    field = page.find("#id_scheduled_time")
    # Cleared, then focused the way Tab reaches it: on its first part, the month.
    page.driver.execute_script("arguments[0].value = ''; arguments[0].blur(); arguments[0].focus();", field)
    month_day, year = day_month_year[:4], day_month_year[4:]
    for keys in (month_day, year, Keys.ARROW_RIGHT, hour_minute_ampm):
        field.send_keys(keys)
    return field.get_attribute("value")


def png_file(color, size=(120, 80)):
    path = f"{tempfile.mkdtemp()}/{color}.png"
    Image.new("RGB", size, color).save(path, "PNG")
    return path


def test_on_a_phone_the_composer_keeps_every_choice_through_a_refused_time(page, world):
    account = world["account"]
    enter(page, world, PHONE)
    page.open("/compose/")

    # The only account is chosen; the time is suggested, to the minute.
    assert page.find(f'input[name=accounts][value="{account.pk}"]').is_selected()
    suggested = page.find("#id_scheduled_time").get_attribute("value")
    assert len(suggested) == len("2030-01-01T09:00") and page.find("#id_scheduled_time").get_attribute("step") == "60"
    assert datetime.fromisoformat(suggested).replace(tzinfo=BERLIN) > datetime.now(BERLIN)

    # Its tab stays on the screen, and the checks come before the buttons.
    page.wait_until(lambda: page.find(f"#tab-{account.pk}").is_displayed(), message="the chosen account has no tab")
    assert off_screen(page, ".tabs [role=tab]") == []
    page.find("#id_content").send_keys("Our first post from the scheduler")
    page.wait_until(lambda: page.find(f"#counter-{account.pk}").text == "33 / 500", message="the live check did not count the text")
    assert rect(page, "#compose-form")["bottom"] <= rect(page, ".composer-checks")["top"]
    assert rect(page, ".composer-checks")["bottom"] <= rect(page, ".composer-actions")["top"]
    assert off_screen(page, "main *") == []

    # An image with its alt text, a text of its own for the account, and a time already past.
    page.find("#id_upload").send_keys(png_file("orange"))
    page.find("#id_upload_alt").send_keys("An orange rectangle")
    page.find(f"#tab-{account.pk}").click()
    page.find(f"#id_variant_{account.pk}").send_keys("Hello Mastodon")
    assert type_time(page, "01012020", "0900A") == "2020-01-01T09:00"
    page.find("button[name=action][value=schedule]").click()

    page.wait_for("#id_scheduled_time_error")
    assert page.find("#id_scheduled_time_error").text == "Must be in the future."
    refused_form_logged(page)
    media = MediaFile.objects.get()
    assert media.alt_text == "An orange rectangle"
    assert page.find(f'input[name=library_media][value="{media.pk}"]').is_selected()
    assert page.find('img.thumb[alt="An orange rectangle"]')
    assert page.find("#id_upload_alt").get_attribute("value") == ""
    assert page.find(f'input[name=accounts][value="{account.pk}"]').is_selected()
    assert page.find("#id_content").get_attribute("value") == "Our first post from the scheduler"
    assert page.find(f"#id_variant_{account.pk}").get_attribute("value") == "Hello Mastodon"
    assert page.find("#id_scheduled_time").get_attribute("value") == "2020-01-01T09:00"
    page.check("compose-error")

    # Only the time changes; the post is scheduled with the image and its alt text.
    page.driver.set_window_size(*PHONE)
    assert type_time(page, "03152031", "1030A") == "2031-03-15T10:30"
    page.find("button[name=action][value=schedule]").click()
    page.wait_for(".message.success")
    post = Post.objects.get()
    assert post.status == Status.SCHEDULED
    assert post.scheduled_time == datetime(2031, 3, 15, 10, 30, tzinfo=BERLIN)
    assert [link.media.alt_text for link in post.post_media.all()] == ["An orange rectangle"]
    assert PostTarget.objects.get(post=post).custom_content == "Hello Mastodon"


def test_at_1280_the_checks_sit_beside_the_form_and_the_header_shows_the_whole_workspace_name(page, world):
    enter(page, world, DESKTOP)
    page.open("/compose/")
    page.wait_until(lambda: "Preview" in page.find(".composer-checks").text, message="no preview for the chosen account")

    form, checks, actions = rect(page, "#compose-form"), rect(page, ".composer-checks"), rect(page, ".composer-actions")
    assert checks["left"] >= form["right"] and checks["top"] < form["bottom"]
    assert actions["top"] >= form["bottom"] and actions["right"] <= checks["left"]
    # The switcher is as wide as its widest option: a narrower select clips the workspace's name.
    natural, shown = page.driver.execute_script(
        "var s = document.getElementById('workspace-switch'); var c = s.cloneNode(true); c.removeAttribute('id');"
        " c.style.cssText = 'position:absolute; visibility:hidden; width:auto; max-width:none; flex:none';"
        " s.parentNode.appendChild(c); var w = c.getBoundingClientRect().width; c.remove(); return [w, s.getBoundingClientRect().width];")
    assert shown >= natural - 0.5, f"the workspace switcher is {shown}px wide; its name needs {natural}px"
    assert WORKSPACE in page.find("#workspace-switch option:checked").text
    page.check("compose")


def test_publish_now_asks_first_and_looks_unlike_schedule(page, world):
    enter(page, world, DESKTOP)
    page.open("/compose/")
    page.find("#id_content").send_keys("Right now")
    schedule, now = page.find("button[name=action][value=schedule]"), page.find("button[name=action][value=publish]")
    look = "var s = getComputedStyle(arguments[0]); return [s.backgroundColor, s.color, s.borderTopColor];"
    assert page.driver.execute_script(look, now) != page.driver.execute_script(look, schedule)
    assert now.rect["x"] - (schedule.rect["x"] + schedule.rect["width"]) > 40  # set apart, not one more button in the row

    now.click()
    alert = page.driver.switch_to.alert
    assert "Publish this post now?" in alert.text
    alert.dismiss()
    assert not Post.objects.exists()

    page.find("button[name=action][value=publish]").click()
    page.driver.switch_to.alert.accept()
    page.wait_for(".message.success")
    target = PostTarget.objects.get()
    assert target.dispatched_at is not None and "Publishing now." in page.find(".messages").text


def test_a_published_post_offers_view_stats_unpublish_and_a_duplicate_that_opens_prefilled(page, world):
    account = world["account"]
    post = PostFactory(workspace=world["workspace"], author=world["user"], content="Launched!", status=Status.POSTED, posted_at=datetime(2030, 1, 1, 9, tzinfo=BERLIN))
    PostTargetFactory(post=post, account=account, status=Status.POSTED, posted_at=post.posted_at, platform_post_url="https://mastodon.example/@acme/1")
    enter(page, world, PHONE)
    page.open(f"/posts/{post.pk}/")

    offered = [e.text for e in page.find_all(".post-actions a, .post-actions button")]
    assert offered == ["View on Mastodon", "Stats", "Unpublish", "Duplicate"]
    assert off_screen(page, ".post-actions a, .post-actions button") == []
    page.check("post-posted")

    page.find(".post-actions a[href*='duplicate']").click()
    page.wait_for("#compose-form")
    assert f"Copy of post #{post.pk}" in page.find("h1").text
    assert page.find("#id_content").get_attribute("value") == "Launched!"
    assert page.find(f'input[name=accounts][value="{account.pk}"]').is_selected()
    page.find("button[name=action][value=draft]").click()
    page.wait_for(".message.success")
    copy = Post.objects.exclude(pk=post.pk).get()
    assert copy.status == Status.DRAFT and copy.content == "Launched!"

    page.open(f"/posts/{post.pk}/")
    page.find(".post-actions form[action$='/unpublish/'] button").click()
    page.driver.switch_to.alert.accept()
    page.wait_for(".message.success")
    assert PostTarget.objects.get(post=post).status == Status.DELETING


def test_the_suggested_time_follows_the_accounts_picked_until_a_time_is_set(page, world):
    """Two accounts, so none is picked for you: the time is the next quarter hour until an account with
    a posting schedule is picked, then that schedule's next free slot; a time the person sets stays."""
    from tests.factories import PostQueueFactory

    scheduled = ConnectedAccountFactory(workspace=world["workspace"], platform="bluesky", platform_username="acme.bsky.social", instance_url="", platform_settings={})
    queue = PostQueueFactory(workspace=world["workspace"], timezone="Europe/Berlin", posting_schedule={day: ["06:40"] for day in (
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")})
    queue.target_accounts.add(scheduled)
    enter(page, world, DESKTOP)
    page.open("/compose/")
    field = page.find("#id_scheduled_time")
    rounded = field.get_attribute("value")
    assert rounded[-2:] in ("00", "15", "30", "45") and not page.find(f'input[name=accounts][value="{scheduled.pk}"]').is_selected()

    page.find(f'input[name=accounts][value="{scheduled.pk}"]').click()
    page.wait_until(lambda: field.get_attribute("value").endswith("T06:40"), message="the time did not move to the schedule's next slot")

    assert type_time(page, "03152031", "1030A") == "2031-03-15T10:30"
    page.find(f'input[name=accounts][value="{world["account"].pk}"]').click()
    page.wait_until(lambda: f"counter-{world['account'].pk}" in page.find("#validation").get_attribute("innerHTML"), message="the live check did not run")
    page.find(f'input[name=accounts][value="{scheduled.pk}"]').click()
    page.wait_until(lambda: f"counter-{scheduled.pk}" not in page.find("#validation").get_attribute("innerHTML"), message="the live check did not run")
    assert field.get_attribute("value") == "2031-03-15T10:30"
