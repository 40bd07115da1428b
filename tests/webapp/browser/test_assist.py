"""The composer's Assist panel in Chromium: a brief in, drafts per network out, one click puts a draft
into that account's text and the live checks count it."""

import pytest
from selenium.webdriver.support.ui import Select

from accounts.models import Membership
from tests.assistant.conftest import openai_fake, openai_server, variants  # noqa: F401
from tests.factories import PASSWORD, ConnectedAccountFactory, MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_draft_from_the_assistant_becomes_the_accounts_text(page, openai_fake):
    user = UserFactory(username="ines")
    workspace = WorkspaceFactory(name="Ines Bakery")
    MembershipFactory(user=user, workspace=workspace, role=Membership.Role.OWNER)
    user.personal_workspace.delete()
    x = ConnectedAccountFactory(workspace=workspace, platform="x", platform_username="inesbakes", platform_settings={}, instance_url="")
    draft = "Warm rye from the oven at seven. Come early!"
    openai_fake.answer(variants("R" * 400))  # over X's limit: the panel never shows it
    openai_fake.answer(variants(draft))

    page.open("/login/")
    page.find("#id_username").send_keys("ines")
    page.find("#id_password").send_keys(PASSWORD)
    page.find("main button[type=submit]").click()
    page.wait_for("#workspace-switch")  # signed in (an <h1> could still be the login page's)
    page.open("/compose/")
    box = page.find(f'input[name="accounts"][value="{x.pk}"]')
    if not box.is_selected():
        box.click()
    page.find("#assist-brief").send_keys("Rye bread, out at seven")
    Select(page.find("#assist-n")).select_by_value("1")
    page.find("#assist-form button[type=submit]").click()
    use = page.wait_for(f'[data-assist-use="{x.pk}"]', timeout=30)
    assert "R" * 400 not in page.find("#assist-results").text
    assert draft in page.find("#assist-results").text
    use.click()

    field = page.find(f'[name="variant_{x.pk}"]')
    page.wait_until(lambda: field.get_attribute("value") == draft, message="the draft did not reach the account's text")
    assert page.find(f"#tab-{x.pk}").get_attribute("aria-selected") == "true"
    page.wait_until(lambda: str(len(draft)) in page.find("#validation").text, message="the live check did not count the draft")
    assert [m for m in openai_fake.material(1)["rejected"]][0]["text"] == "R" * 400
    logs = [entry for entry in page.driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not logs, logs
