import pytest

from tests.factories import UserFactory


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def admin_client(client, db, media_root):
    """A Django test client logged in as a superuser."""
    staff = UserFactory(username="root")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    client.user = staff
    return client


def messages_of(response):
    return [str(m) for m in response.context["messages"]]
