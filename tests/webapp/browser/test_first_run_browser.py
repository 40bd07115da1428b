"""A user staff created with no workspace logs in, in Chromium: they create their workspace on the
page they land on and find the first-run checklist on the home page, every step to do and linked."""

import pytest

from accounts.models import Membership, User

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_user_in_no_workspace_creates_theirs_and_sees_the_checklist(page):
    User.objects.create_user("loner", "loner@example.com", "a long passphrase")  # as createuser does
    page.open("/login/")
    page.find("#id_username").send_keys("loner")
    page.find("#id_password").send_keys("a long passphrase")
    page.find("main button[type=submit]").click()

    page.wait_for("#workspace-create")
    assert page.driver.current_url.endswith("/workspace/new/")
    page.check("no-workspace")
    name = page.find("#id_name")
    name.clear()
    name.send_keys("Loner Media")
    page.find("#workspace-create button[type=submit]").click()

    page.wait_for("#first-run")
    assert "Posts in Loner Media" in page.find("h1").text
    assert Membership.objects.get(user__username="loner").workspace.name == "Loner Media"
    steps = page.find_all("#first-run li")
    assert [s.get_attribute("class") for s in steps] == ["todo", "todo", "todo"]
    page.check("home-first-run")
    page.find("#first-run-connect a").click()
    page.wait_until(lambda: page.driver.current_url.endswith("/accounts/"), message="the step did not lead to the Accounts page")
