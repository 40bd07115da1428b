import pytest

from tests.factories import ConnectedAccountFactory

from .feed_server import FeedServer


@pytest.fixture(scope="session")
def feed_server_session():
    server = FeedServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def feed_server(feed_server_session):
    feed_server_session.reset()
    yield feed_server_session
    feed_server_session.reset()


@pytest.fixture
def account(workspace):
    """A Mastodon account whose instance allows 500 characters (URLs count 23)."""
    return ConnectedAccountFactory(workspace=workspace, platform="mastodon")


@pytest.fixture
def subscribe(auth_api):
    def subscribe(**body):
        response = auth_api.post("/api/v1/feeds/", body, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    return subscribe
