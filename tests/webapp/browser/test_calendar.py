"""The calendar in Chromium: FullCalendar styled under the strict CSP (no violation, its rules applied),
a post with media showing its thumbnail, and a click on an empty day or time slot opening the composer
with that time."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from social_media.models import PostMedia, Status
from tests.factories import PASSWORD, ConnectedAccountFactory, MediaFileFactory, PostFactory, PostTargetFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
BERLIN = ZoneInfo("Europe/Berlin")

# Every Content-Security-Policy violation of the documents this test opens, kept in the page (installed
# through DevTools before the page's own scripts run, so the CSP does not apply to it).
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.cspViolations.push(e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' ' + (e.sample || ''));
});
"""


@pytest.fixture
def world(db):
    """A user in Berlin with a Mastodon account and, tomorrow at 10:00, a post with a photo."""
    user = UserFactory(username="cleo")
    user.timezone = "Europe/Berlin"
    user.save()
    workspace = user.personal_workspace
    account = ConnectedAccountFactory(workspace=workspace, platform="mastodon", platform_username="cleo")
    tomorrow = (datetime.now(BERLIN) + timedelta(days=1)).date()
    post = PostFactory(workspace=workspace, author=user, content="Photo of the day", status=Status.SCHEDULED,
                       scheduled_time=datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, tzinfo=BERLIN))
    PostTargetFactory(post=post, account=account)
    photo = MediaFileFactory(workspace=workspace, alt_text="A red square")
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(jpeg, "JPEG")
    photo.thumbnail.save("thumb.jpg", ContentFile(jpeg.getvalue()))
    PostMedia.objects.create(post=post, media=photo, order=0)
    return {"user": user, "post": post, "photo": photo, "tomorrow": tomorrow}


@pytest.fixture
def recorded(browser):
    script = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS})
    yield browser
    browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})


def login(page):
    page.open("/login/")
    page.find("#id_username").send_keys("cleo")
    page.find("#id_password").send_keys(PASSWORD)
    page.find("main button[type=submit]").click()
    page.wait_for("#workspace-switch")  # signed in (an <h1> could still be the login page's)


def open_calendar(page, world):
    page.open("/calendar/")
    return page.wait_for(f'.fc-event[data-post-id="{world["post"].pk}"]')


def click_at(driver, element, x, y):
    """A person's click at (x, y) of the page, inside `element` (offsets from its centre, as selenium counts)."""
    from selenium.webdriver.common.action_chains import ActionChains

    rect = element.rect
    ActionChains(driver).move_to_element_with_offset(element, int(x - rect["x"] - rect["width"] / 2), int(y - rect["y"] - rect["height"] / 2)).click().perform()


def test_the_calendar_is_styled_under_the_csp_and_shows_the_posts_thumbnail(page, world, recorded):
    login(page)
    event = open_calendar(page, world)
    driver = page.driver
    # FullCalendar's own rules are in force: its <style> was allowed (it holds them all) and applies.
    rules = driver.execute_script("var s = document.querySelector('style[data-fullcalendar]'); return s && s.sheet ? s.sheet.cssRules.length : 0")
    assert rules > 100
    assert driver.execute_script("return getComputedStyle(document.querySelector('.fc .fc-toolbar')).display") == "flex"
    assert driver.execute_script("return window.cspViolations") == []
    # The thumbnail is drawn in the event and loaded from the thumbnail URL.
    thumb = event.find_element("css selector", "img.fc-thumb")
    assert thumb.get_attribute("src").endswith(f"/library/{world['photo'].pk}/thumbnail/")
    page.wait_until(lambda: driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", thumb) == 64, message="the thumbnail did not load")
    assert event.get_attribute("aria-label") == "Scheduled: Photo of the day (Mastodon @cleo)"
    page.check("calendar-thumbnail")


def test_clicking_an_empty_day_opens_the_composer_at_nine_that_day(page, world, recorded):
    login(page)
    open_calendar(page, world)
    day = world["tomorrow"] + timedelta(days=1)
    cell = page.find(f'td.fc-day[data-date="{day.isoformat()}"] .fc-daygrid-day-frame')
    rect = cell.rect
    click_at(page.driver, cell, rect["x"] + rect["width"] / 2, rect["y"] + rect["height"] - 5)  # below the day's number
    page.wait_until(lambda: "/compose/" in page.driver.current_url, message="the composer did not open")
    assert page.driver.current_url.endswith(f"/compose/?at={day.isoformat()}T09%3A00%3A00")
    assert page.wait_for("#id_scheduled_time").get_attribute("value") == f"{day.isoformat()}T09:00"
    assert page.driver.execute_script("return window.cspViolations") == []


def test_clicking_an_empty_time_slot_opens_the_composer_at_that_time(page, world, recorded):
    login(page)
    open_calendar(page, world)
    page.find(".fc-timeGridDay-button").click()
    # On to tomorrow (Berlin), the post's day: one day on, or two between midnight in Berlin and midnight
    # in the browser's own zone (UTC here), where "today" is still the day before.
    tomorrow_column = f'.fc-timegrid-col[data-date="{world["tomorrow"].isoformat()}"]'
    for _ in range(2):
        if page.find_all(tomorrow_column):
            break
        title = page.find(".fc-toolbar-title").text
        page.find(".fc-next-button").click()
        page.wait_until(lambda: page.find(".fc-toolbar-title").text != title)
    page.wait_until(lambda: page.find_all(tomorrow_column), message="the day view did not reach tomorrow")
    lane = page.find('td.fc-timegrid-slot-lane[data-time="14:00:00"]')
    column = page.find(f'.fc-timegrid-col[data-date="{world["tomorrow"].isoformat()}"]')
    click_at(page.driver, lane, column.rect["x"] + column.rect["width"] / 2, lane.rect["y"] + lane.rect["height"] / 2)
    page.wait_until(lambda: "/compose/" in page.driver.current_url, message="the composer did not open")
    assert page.wait_for("#id_scheduled_time").get_attribute("value") == f"{world['tomorrow'].isoformat()}T14:00"


def test_a_busy_day_shows_four_posts_and_the_rest_behind_more(page, world, recorded):
    """Every post is in the feed; a month cell stays readable: four, then "+3 more", which lists all seven."""
    post = world["post"]
    for minute in range(6):
        extra = PostFactory(workspace=post.workspace, content=f"Extra {minute}", status=Status.SCHEDULED,
                            scheduled_time=post.scheduled_time + timedelta(minutes=minute + 1))
        PostTargetFactory(post=extra, account=post.targets.get().account)
    login(page)
    open_calendar(page, world)
    cell = page.find(f'td.fc-day[data-date="{world["tomorrow"].isoformat()}"]')
    assert len(cell.find_elements("css selector", ".fc-daygrid-event-harness:not(.fc-daygrid-event-harness-abs) .fc-event")) == 4
    more = cell.find_element("css selector", ".fc-daygrid-more-link")
    assert more.text == "+3 more"
    more.click()
    popover = page.wait_for(".fc-popover")
    assert len(popover.find_elements("css selector", ".fc-event")) == 7
