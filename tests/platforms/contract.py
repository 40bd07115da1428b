"""The adapter contract, tested the same way for every network.

A network's test class inherits `AdapterContract` and supplies only its server through fixtures:
  - `account`: a saved ConnectedAccount connected to the running local server;
  - `remote`: an object with `get_text(platform_post_id) -> str | None` (None when the post does
    not exist on the server) and `count_posts() -> int` (posts of that account on the server).
Each test asserts what the server holds, not what the adapter says.
"""

import pytest

from social_media.platforms import PlatformFactory
from social_media.platforms.base import InvalidContent, PublishResult, Reconciliation
from tests.factories import PostFactory, PostTargetFactory


@pytest.mark.django_db(transaction=True)
class AdapterContract:
    too_long_text: str = ""  # set by each network: one unit over its limit

    def media(self, account) -> list:
        """Attachments every contract post carries (networks that require media, e.g. Instagram, override)."""
        return []

    def make_target(self, account, content):
        post = PostFactory(workspace=account.workspace, content=content)
        return PostTargetFactory(post=post, account=account)

    def test_it_publishes_text_and_the_server_holds_it(self, account, remote):
        adapter = PlatformFactory.get_platform(account)
        target = self.make_target(account, "Hello from the contract test")
        result = adapter.publish(target, target.content, self.media(account))
        assert isinstance(result, PublishResult)
        assert result.platform_post_id and result.url.startswith("http")
        assert remote.get_text(result.platform_post_id) == "Hello from the contract test"

    def test_it_deletes_a_published_post(self, account, remote):
        adapter = PlatformFactory.get_platform(account)
        target = self.make_target(account, "Short-lived")
        result = adapter.publish(target, target.content, self.media(account))
        adapter.delete(result.platform_post_id)
        assert remote.get_text(result.platform_post_id) is None

    def test_it_rejects_text_over_the_limit_in_validate(self, account):
        adapter = PlatformFactory.get_platform(account)
        assert adapter.validate(self.too_long_text, self.media(account))
        assert adapter.validate("fine", self.media(account)) == []

    def test_it_raises_invalid_content_when_publishing_text_over_the_limit(self, account, remote):
        adapter = PlatformFactory.get_platform(account)
        target = self.make_target(account, self.too_long_text)
        before = remote.count_posts()
        with pytest.raises(InvalidContent):
            adapter.publish(target, target.content, self.media(account))
        assert remote.count_posts() == before

    def test_it_reconciles_a_published_target(self, account, remote):
        adapter = PlatformFactory.get_platform(account)
        target = self.make_target(account, "Did this land?")
        result = adapter.publish(target, target.content, self.media(account))
        answer = adapter.reconcile(target)
        assert isinstance(answer, Reconciliation)
        assert answer.found is not None and answer.found.platform_post_id == result.platform_post_id

    def test_it_reconciles_an_unpublished_target_as_not_found_or_unknown(self, account, remote):
        adapter = PlatformFactory.get_platform(account)
        target = self.make_target(account, "Never sent")
        answer = adapter.reconcile(target)
        assert answer.found is None
