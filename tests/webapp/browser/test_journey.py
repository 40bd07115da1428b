"""The newcomer's journey in a real browser: log in, compose for two accounts and watch the counters
pass a limit, schedule, find the post on the calendar, drag it to another day, add a draft to a queue,
upload an image with alt text, retry a failed target. Every page on the way is checked with axe-core
and for horizontal scrolling at 1280 and 390 px."""

import tempfile
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from accounts.models import Membership
from media.models import MediaFile
from social_media.models import Post, PostTarget, Status
from tests.factories import PASSWORD, ConnectedAccountFactory, MembershipFactory, PostFactory, PostQueueFactory, PostTargetFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)
BERLIN = ZoneInfo("Europe/Berlin")
EVERY_DAY = {day: ["09:30", "18:00"] for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}


@pytest.fixture
def world(db):
    user = UserFactory(username="dana")
    user.timezone = "Europe/Berlin"
    user.save()
    workspace = WorkspaceFactory(name="Acme Social")
    MembershipFactory(user=user, workspace=workspace, role=Membership.Role.OWNER)
    mastodon = ConnectedAccountFactory(workspace=workspace, platform="mastodon", platform_username="acme")
    bluesky = ConnectedAccountFactory(workspace=workspace, platform="bluesky", platform_username="acme.bsky.social", instance_url="", platform_settings={})
    queue = PostQueueFactory(workspace=workspace, name="Weekdays", timezone="Europe/Berlin", posting_schedule=EVERY_DAY)
    queue.target_accounts.add(mastodon)
    draft = PostFactory(workspace=workspace, author=user, content="A draft waiting for the queue")
    failed_post = PostFactory(workspace=workspace, author=user, content="This one failed", status=Status.FAILED)
    failed = PostTargetFactory(post=failed_post, account=mastodon, status=Status.FAILED, error_message="The instance answered 503; try again.")
    return {"user": user, "workspace": workspace, "mastodon": mastodon, "bluesky": bluesky, "queue": queue, "draft": draft, "failed": failed}


def login(page, world):
    page.open("/login/")
    page.check("login")
    page.find("#id_username").send_keys("dana")
    page.find("#id_password").send_keys(PASSWORD)
    page.find("main button[type=submit]").click()
    page.wait_for("#workspace-switch")  # only once signed in (an <h1> could still be the login page's)
    assert "Posts in Acme Social" in page.find("h1").text or page.driver.current_url.endswith("/")


def drag(driver, source, target, steps=12):
    """Press on `source`, move to `target` in small steps (FullCalendar tracks the pointer), release."""
    from selenium.webdriver.common.action_chains import ActionChains

    start, end = source.rect, target.rect
    sx, sy = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    ex, ey = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2
    chain = ActionChains(driver, duration=50).move_to_element(source).click_and_hold().pause(0.2)
    for i in range(1, steps + 1):
        chain = chain.move_by_offset((ex - sx) / steps, (ey - sy) / steps).pause(0.05)
    chain.pause(0.3).release().perform()


def enter_team(page, world):
    """Log in; the session acts in the user's personal workspace first: switch to the team's."""
    from selenium.webdriver.support.ui import Select

    login(page, world)
    Select(page.find("#workspace-switch")).select_by_visible_text("Acme Social (Owner)")
    page.wait_until(lambda: "Posts in Acme Social" in page.find("h1").text)


def test_the_newcomers_journey(page, world):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    driver = page.driver
    enter_team(page, world)
    page.check("posts")

    # --- Compose for two accounts; the Bluesky counter passes its 300-character limit ---------------
    page.open("/compose/")
    mastodon, bluesky = world["mastodon"], world["bluesky"]
    page.find(f'input[name=accounts][value="{mastodon.pk}"]').click()
    page.find(f'input[name=accounts][value="{bluesky.pk}"]').click()
    text = page.find("#id_content")
    text.send_keys("Launch day! #news")
    page.wait_until(lambda: page.find(f"#counter-{bluesky.pk}").text == "17 / 300", message="counter did not count the text")
    assert page.find(f"#counter-{mastodon.pk}").text == "17 / 500"
    text.send_keys(" " + "a" * 290)
    page.wait_until(lambda: "over" in page.find(f"#counter-{bluesky.pk}").get_attribute("class"), message="counter never passed the limit")
    assert page.find(f"#counter-{bluesky.pk}").text == "308 / 300"
    assert "Bluesky allows 300 characters; this post has 308." in page.find("#validation").text
    assert "over" not in page.find(f"#counter-{mastodon.pk}").get_attribute("class")
    page.check("compose")

    # A shorter text for Bluesky, in its own tab.
    page.find(f"#tab-{bluesky.pk}").click()
    page.find(f"#id_variant_{bluesky.pk}").send_keys("Launch day on Bluesky! #news")
    page.wait_until(lambda: page.find(f"#counter-{bluesky.pk}").text == "28 / 300")

    when = (datetime.now(BERLIN) + timedelta(days=2)).replace(hour=10, minute=0, second=7, microsecond=0)
    driver.execute_script("document.getElementById('id_scheduled_time').value = arguments[0]", when.strftime("%Y-%m-%dT%H:%M:%S"))
    page.find('button[name=action][value=schedule]').click()
    page.wait_for(".message.success")
    post = Post.objects.exclude(pk__in=[world["draft"].pk, world["failed"].post_id]).get()
    assert post.status == Status.SCHEDULED and post.scheduled_time == when
    assert PostTarget.objects.get(post=post, account=bluesky).custom_content == "Launch day on Bluesky! #news"
    page.check("post")

    # --- The calendar shows it; drag it one day later --------------------------------------------
    page.open("/calendar/")
    event = page.wait_for(f'.fc-event[data-post-id="{post.pk}"]')
    page.check("calendar")
    next_day = (when + timedelta(days=1)).date().isoformat()
    page.wait_until(lambda: page.find(f'td.fc-day[data-date="{next_day}"]').rect["width"] > 120, message="calendar not laid out at 1280 px")
    event = page.wait_for(f'.fc-event[data-post-id="{post.pk}"]')
    drag(driver, event, page.find(f'td.fc-day[data-date="{next_day}"] .fc-daygrid-day-frame'))
    page.wait_until(lambda: "Rescheduled to" in page.find("#calendar-message").text, message="the drop was not saved")
    post.refresh_from_db()
    assert post.scheduled_time == when + timedelta(days=1)

    # Clicking the post opens its panel with its targets.
    page.click(f'.fc-event[data-post-id="{post.pk}"]')  # the calendar re-renders its events after the drop
    page.wait_for("#post-panel h2")
    assert "Mastodon @acme" in page.find("#post-panel").text
    page.find("#post-panel [data-close-panel]").send_keys(Keys.ENTER)

    # --- Add the draft to the queue --------------------------------------------------------------
    queue = world["queue"]
    page.open(f"/queues/{queue.pk}/")
    Select(page.find("#id_post")).select_by_value(str(world["draft"].pk))
    page.find("main form[action$='/add/'] button[type=submit]").click()
    page.wait_for(".message.success")
    draft = Post.objects.get(pk=world["draft"].pk)
    assert draft.status == Status.SCHEDULED and draft.queue_entry.queue == queue
    assert draft.scheduled_time.astimezone(BERLIN).strftime("%H:%M") in ("09:30", "18:00")
    page.check("queue")

    # --- Upload an image with alt text -----------------------------------------------------------
    page.open("/library/")
    with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as image:
        Image.new("RGB", (120, 80), "orange").save(image, "PNG")
    page.find("#id_alt_text").send_keys("An orange rectangle")
    page.find("#upload-files").send_keys(image.name)
    page.find("#upload-form button[type=submit]").click()
    page.wait_until(lambda: MediaFile.objects.filter(alt_text="An orange rectangle").exists(), message="upload not stored")
    page.wait_for('img[alt="An orange rectangle"]', timeout=20)
    page.check("library")

    # --- Retry the failed target on the problems page --------------------------------------------
    page.open("/problems/")
    page.check("problems")
    page.find(f"#problem-{world['failed'].pk} form[action$='/retry/'] button").click()
    page.wait_for(".message.success")
    failed = PostTarget.objects.get(pk=world["failed"].pk)
    assert failed.status == Status.SCHEDULED and failed.error_message == ""

    # --- Every other page passes the same checks --------------------------------------------------
    media = MediaFile.objects.get(alt_text="An orange rectangle")
    for name, path in [
        ("queues", "/queues/"), ("queue-form", f"/queues/{queue.pk}/edit/"), ("accounts", "/accounts/"),
        ("media", f"/library/{media.pk}/"), ("analytics", "/analytics/"), ("team", "/team/"), ("profile", "/profile/"),
    ]:
        page.open(path)
        page.check(name)


def test_a_reddit_post_gets_its_subreddit_and_title_in_the_account_s_tab(page, world):
    reddit = ConnectedAccountFactory(workspace=world["workspace"], platform="reddit", platform_username="acme_team", instance_url="", platform_settings={})
    enter_team(page, world)
    page.open("/compose/")
    page.find(f'input[name=accounts][value="{reddit.pk}"]').click()
    page.find("#id_content").send_keys("We shipped it. Details inside.")
    page.wait_until(lambda: "Reddit posts need a title." in page.find("#validation").text, message="the live check did not ask for a title")

    page.find(f"#tab-{reddit.pk}").click()
    page.find(f"#id_setting_{reddit.pk}_subreddit").send_keys("r/acme")
    page.find(f"#id_setting_{reddit.pk}_title").send_keys("Acme 2.0 is out")
    page.wait_until(lambda: "Reddit posts need a title." not in page.find("#validation").text, message="the title was not checked again")
    page.check("compose-reddit")

    when = (datetime.now(BERLIN) + timedelta(days=3)).replace(hour=12, minute=0, second=0, microsecond=0)
    page.driver.execute_script("document.getElementById('id_scheduled_time').value = arguments[0]", when.strftime("%Y-%m-%dT%H:%M:%S"))
    page.find('button[name=action][value=schedule]').click()
    page.wait_for(".message.success")
    target = PostTarget.objects.get(account=reddit)
    assert target.status == Status.SCHEDULED
    assert target.platform_specific_settings == {"subreddit": "r/acme", "title": "Acme 2.0 is out"}
