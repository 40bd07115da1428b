"""The admin, Swagger UI and ReDoc render in a real Chromium under the Content-Security-Policy, with
nothing blocked and no request leaving the server (headless Chromium, Debian's chromium-driver)."""

import os
import shutil
import tempfile

import pytest

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)), reason="apt-get install chromium chromium-driver"),
]


@pytest.fixture(scope="module")
def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-csp-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def wait_for(driver, css, timeout=60):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))


# ReDoc's footer links a logo on its own CDN: the policy refuses it (as it should; the console says
# so and no bytes arrive), and nothing else.
REDOC_LOGO = "https://cdn.redoc.ly/"
EXPECTED_REFUSALS = ("/favicon.ico - Failed to load resource", f"Loading the image '{REDOC_LOGO}")


def problems(driver, base_url):
    """Console errors (CSP refusals among them) and resources fetched from anywhere but this server."""
    errors = [
        entry["message"] for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" and not any(expected in entry["message"] for expected in EXPECTED_REFUSALS)
    ]
    foreign = driver.execute_script(
        "return performance.getEntriesByType('resource').filter(e => !e.name.startsWith(arguments[0]))"
        ".filter(e => !(e.name.startsWith(arguments[1]) && e.transferSize === 0)).map(e => e.name)",
        base_url, REDOC_LOGO,
    )
    return errors, foreign


@pytest.mark.parametrize("path, rendered", [
    ("/api/docs/", ".swagger-ui .information-container .title"),
    ("/api/redoc/", ".api-content h1"),
])
def test_the_api_docs_render_under_the_policy(chromium, live_server, path, rendered):
    chromium.get_log("browser")  # drop what earlier pages logged
    chromium.get(live_server.url + path)

    title = wait_for(chromium, rendered)

    assert "Social media scheduler API" in title.text
    assert problems(chromium, live_server.url) == ([], [])


def test_the_admin_works_under_the_policy(chromium, live_server, django_user_model):
    from selenium.webdriver.common.by import By

    django_user_model.objects.create_superuser("root", "root@example.com", "a-long-enough-password")
    chromium.get_log("browser")
    chromium.get(live_server.url + "/admin/login/")
    wait_for(chromium, "#login-form")
    chromium.find_element(By.NAME, "username").send_keys("root")
    chromium.find_element(By.NAME, "password").send_keys("a-long-enough-password")
    chromium.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    wait_for(chromium, "#nav-sidebar, #content-main")
    chromium.get(live_server.url + "/admin/social_media/post/")
    wait_for(chromium, "#changelist")
    chromium.get(live_server.url + "/admin/accounts/user/add/")
    wait_for(chromium, "#user_form")

    assert problems(chromium, live_server.url) == ([], [])
