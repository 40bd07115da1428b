import pytest

from tests.api.conftest import editor_api, member_api, viewer_api  # noqa: F401  (role fixtures)
from tests.factories import ConnectedAccountFactory
from tests.fakes.llm.gemini_fake import API_KEY as GEMINI_KEY
from tests.fakes.llm.gemini_fake import GeminiFake
from tests.fakes.llm.openai_fake import API_KEY as OPENAI_KEY
from tests.fakes.llm.openai_fake import OpenAIFake


@pytest.fixture(scope="session")
def openai_server():
    fake = OpenAIFake()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def gemini_server():
    fake = GeminiFake()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def openai_fake(openai_server, settings):
    """The assistant configured for OpenAI, pointed at the local fake (a clean script and log)."""
    openai_server.script.clear()
    openai_server.requests.clear()
    settings.ASSISTANT_PROVIDER = "openai"
    settings.OPENAI_API_KEY = OPENAI_KEY
    settings.OPENAI_BASE_URL = f"{openai_server.base_url}/v1"
    settings.OPENAI_MODEL = "gpt-4o-mini"
    settings.ASSISTANT_TIMEOUT_SECONDS = 5
    return openai_server


@pytest.fixture
def gemini_fake(gemini_server, settings):
    gemini_server.script.clear()
    gemini_server.requests.clear()
    settings.ASSISTANT_PROVIDER = "gemini"
    settings.GEMINI_API_KEY = GEMINI_KEY
    settings.GEMINI_BASE_URL = gemini_server.base_url
    settings.GEMINI_MODEL = "gemini-2.5-flash"
    settings.ASSISTANT_TIMEOUT_SECONDS = 5
    return gemini_server


@pytest.fixture
def x_account(workspace):
    return ConnectedAccountFactory(workspace=workspace, platform="x", platform_settings={}, instance_url="")


@pytest.fixture
def bluesky_account(workspace):
    return ConnectedAccountFactory(workspace=workspace, platform="bluesky", platform_settings={}, instance_url="https://bsky.social")


@pytest.fixture
def instagram_account(workspace):
    return ConnectedAccountFactory(workspace=workspace, platform="instagram", platform_settings={}, instance_url="")


@pytest.fixture
def mastodon_500(workspace):
    return ConnectedAccountFactory(workspace=workspace)


def variants(*texts):
    return {"variants": [{"text": text} for text in texts]}
