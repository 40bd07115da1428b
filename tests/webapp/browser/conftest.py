"""Real Chromium (Debian's chromium + chromium-driver) driven by selenium against pytest-django's
live_server. One headless browser for the whole session; a fresh profile directory per run.

Every page the journey opens is checked with axe-core (vendored under tests/webapp/vendor/) and fails
on serious or critical violations, and checked for horizontal scrolling at 1280 px and 390 px.
With SCREENSHOTS=1 (`make screenshots`) each page is also saved to docs/screenshots/ at both widths.

Every browser test fails on any console error: Chromium's SEVERE log entries (failed loads, script
errors, and the "Refused to ..." lines of Content-Security-Policy violations), read after the test
and at every `check`. A `securitypolicyviolation` listener, installed in every document before its
own scripts run, also writes each violation to the console, so one the log would word differently
or leave out (a form-action refusal while navigating away) is caught as well."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-4.14.1.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--force-device-scale-factor=1", "--lang=en-US",
]


def pytest_collection_modifyitems(items):
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        for item in items:
            if "browser" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason="chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"))


@pytest.fixture(scope="session")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_LISTENER})
    driver.set_window_size(*WIDTHS["desktop"])
    driver.implicitly_wait(0)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


# Installed through DevTools, so it runs in every document before the page's scripts and is not
# itself subject to the page's CSP.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', function (e) {
  console.error('CSP violation: ' + e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' on ' + e.documentURI);
});
"""


def console_errors(driver, own_origin=None):
    """The SEVERE console entries logged since the last call (each call drains Chromium's log). The one
    entry left out: a network test server's own missing /favicon.ico (mastodon-mock's authorize page
    names no icon, so Chromium asks for one); a missing icon of ours still counts."""
    errors = []
    for entry in driver.get_log("browser"):
        if entry["level"] != "SEVERE":
            continue
        source = entry["message"].split(" ", 1)[0]
        if own_origin and source.endswith("/favicon.ico") and not source.startswith(own_origin + "/"):
            continue
        errors.append(f"{entry['level']}: {entry['message']}")
    return errors


class Page:
    """Helpers around the driver for one live server."""

    def __init__(self, driver, base_url):
        self.driver, self.base_url = driver, base_url
        self.seen_errors = []

    def open(self, path):
        self.driver.get(self.base_url + path)
        self.wait_for("main")

    def find(self, css):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def wait_for(self, css, timeout=15):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout).until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))

    def click(self, css, timeout=15):
        """Click the element `css` names, again if the page replaced it between finding and clicking
        (the calendar re-renders its events after a drop)."""
        from selenium.common.exceptions import StaleElementReferenceException

        def clicked():
            try:
                self.wait_for(css, timeout).click()
                return True
            except StaleElementReferenceException:
                return False

        return self.wait_until(clicked, timeout, message=f"{css} kept being replaced before it could be clicked")

    def wait_until(self, condition, timeout=15, message=""):
        """Until `condition()` is truthy; an element the page replaced meanwhile (a navigation, a
        re-render) only means "not yet", as a missing one does."""
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: condition(), message)

    def axe_violations(self):
        """Serious and critical axe-core violations on the current page."""
        if not self.driver.execute_script("return !!window.axe"):
            self.driver.execute_script(AXE.read_text())
        result = self.driver.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(function (r) { done(r.violations); }, function (e) { done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]); });"
        )
        return [
            f"{v['id']} ({v['impact']}): {v['help']} at {[(n.get('target'), (n.get('html') or '')[:100]) for n in v['nodes']][:3]}"
            for v in result if v.get("impact") in ("serious", "critical")
        ]

    def horizontal_overflow(self):
        return self.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")

    def check(self, name):
        """axe and overflow at both widths (and a screenshot of each when SCREENSHOTS=1)."""
        problems = []
        try:
            for label, (width, height) in WIDTHS.items():
                self.driver.set_window_size(width, height)
                self.wait_until(lambda: self.driver.execute_script("return window.innerWidth") <= width, message="window did not resize")
                overflow = self.horizontal_overflow()
                if overflow > 0:
                    problems.append(f"{name} scrolls horizontally by {overflow}px at {width}px")
                problems += [f"{name} at {width}px: {v}" for v in self.axe_violations()]
                if os.environ.get("SCREENSHOTS"):
                    self.screenshot(f"{name}-{label}", width)
        finally:
            self.driver.set_window_size(*WIDTHS["desktop"])
        problems += [f"{name}: console {e}" for e in self.console_errors()]
        assert not problems, "\n".join(problems)

    def console_errors(self):
        """Console errors since the last look, kept for the end-of-test check too."""
        fresh = console_errors(self.driver, self.base_url)
        self.seen_errors += fresh
        return fresh

    def screenshot(self, name, width):
        """The whole page (not only the viewport) at this width, through the DevTools protocol."""
        import base64

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": width, "height": min(size["height"], 4000), "scale": 1}
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
        (SCREENSHOTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture
def page(browser, live_server):
    browser.delete_all_cookies()
    console_errors(browser)  # what an earlier test left in the log is not this test's
    current = Page(browser, live_server.url)
    yield current
    current.console_errors()
    assert not current.seen_errors, "console errors during the test:\n" + "\n".join(current.seen_errors)
