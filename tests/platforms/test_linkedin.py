"""LinkedIn adapter against the local LinkedIn fake: the shared contract for a member and for an
organization page, the request LinkedIn receives, little-format escaping, images and video."""

import pytest

from social_media.platforms import PlatformFactory
from social_media.platforms.base import InvalidContent, TransientError
from tests.factories import PostFactory, PostTargetFactory
from tests.platforms.conftest_linkedin import LinkedInRemote
from tests.platforms.conftest_x import png, video
from tests.platforms.contract import AdapterContract

pytestmark = pytest.mark.django_db(transaction=True)


def make_target(account, content):
    return PostTargetFactory(post=PostFactory(workspace=account.workspace, content=content), account=account)


def publish(account, content, media=()):
    target = make_target(account, content)
    return PlatformFactory.get_platform(account).publish(target, content, list(media))


class TestLinkedInMemberContract(AdapterContract):
    too_long_text = "a" * 3001

    @pytest.fixture
    def account(self, linkedin_account):
        return linkedin_account

    @pytest.fixture
    def remote(self, linkedin_fake, linkedin_account):
        return LinkedInRemote(linkedin_fake, linkedin_account.platform_user_id)


class TestLinkedInOrganizationContract(AdapterContract):
    too_long_text = "😀" * 1501  # 3,002 UTF-16 code units

    @pytest.fixture
    def account(self, linkedin_page_account):
        return linkedin_page_account

    @pytest.fixture
    def remote(self, linkedin_fake, linkedin_page_account):
        return LinkedInRemote(linkedin_fake, linkedin_page_account.platform_user_id)


def test_it_sends_the_versioned_headers_and_the_documented_post_body(linkedin_account, linkedin_fake):
    result = publish(linkedin_account, "Quarterly update")
    request = linkedin_fake.requests_to("/rest/posts", "POST")[0]
    assert request.headers["linkedin-version"] == "202611" and request.headers["x-restli-protocol-version"] == "2.0.0"
    assert request.headers["authorization"] == f"Bearer {linkedin_account.access_token}"
    assert request.json == {
        "author": linkedin_account.platform_user_id, "commentary": "Quarterly update", "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": False,
    }
    assert result.platform_post_id == linkedin_fake.posts[-1].urn and result.platform_post_id.startswith("urn:li:share:")
    assert result.url == f"https://www.linkedin.com/feed/update/{result.platform_post_id}/"


def test_a_page_posts_as_the_organization(linkedin_page_account, linkedin_fake):
    result = publish(linkedin_page_account, "From the company")
    assert linkedin_fake.post(result.platform_post_id).author.startswith("urn:li:organization:")


def test_reserved_characters_show_exactly_as_written_and_hashtags_stay_hashtags(linkedin_account, linkedin_fake):
    text = "Q&A (live) [today] {at} <5pm> @home | ~50% *off* snake_case C# a\\b # 1 #launch #2026"
    result = publish(linkedin_account, text)
    post = linkedin_fake.post(result.platform_post_id)
    assert post.text == text  # the fake shows what LinkedIn would: unescaped reserved characters would cut it
    assert "#launch" in post.commentary and "\\#launch" not in post.commentary and "C\\#" in post.commentary
    assert "snake\\_case" in post.commentary and "\\(live\\)" in post.commentary and "a\\\\b" in post.commentary


def test_a_single_image_is_uploaded_then_attached_with_its_alt_text(linkedin_account, linkedin_fake):
    image = png(linkedin_account, alt_text="A chart")
    result = publish(linkedin_account, "With a chart", [image])
    init = linkedin_fake.requests_to("/rest/images", "POST")[0]
    assert init.query == {"action": "initializeUpload"}
    assert init.json == {"initializeUploadRequest": {"owner": linkedin_account.platform_user_id}}
    uploads = [r for r in linkedin_fake.requests if r.path.startswith("/dms-uploads/")]
    assert len(uploads) == 1 and uploads[0].method == "PUT" and uploads[0].body[:8] == b"\x89PNG\r\n\x1a\n"
    post = linkedin_fake.post(result.platform_post_id)
    assert post.body["content"] == {"media": {"id": post.media[0], "altText": "A chart"}}
    assert linkedin_fake.images[post.media[0]]["bytes"] == uploads[0].body


def test_several_images_become_one_multi_image_post(linkedin_account, linkedin_fake):
    images = [png(linkedin_account, alt_text=f"Image {n}") for n in range(3)]
    result = publish(linkedin_account, "Gallery", images)
    post = linkedin_fake.post(result.platform_post_id)
    assert [i["altText"] for i in post.body["content"]["multiImage"]["images"]] == ["Image 0", "Image 1", "Image 2"]
    assert len(post.media) == 3 and all(linkedin_fake.images[urn]["status"] == "AVAILABLE" for urn in post.media)


def test_a_video_is_uploaded_in_parts_finalized_and_posted_once_available(linkedin_account, linkedin_fake):
    linkedin_fake.video_part_size = 64 * 1024
    linkedin_fake.video_processing_polls = 2
    clip = video(linkedin_account, 200 * 1024)
    result = publish(linkedin_account, "Watch this", [clip])
    init = linkedin_fake.requests_to("/rest/videos", "POST")[0]
    assert init.json["initializeUploadRequest"]["fileSizeBytes"] == 200 * 1024
    parts = [r for r in linkedin_fake.requests if r.path.startswith("/dms-uploads/")]
    assert len(parts) == 4 and sum(len(p.body) for p in parts) == 200 * 1024
    finalize = linkedin_fake.requests_to("/rest/videos", "POST")[1]
    assert finalize.query == {"action": "finalizeUpload"}
    video_urn = finalize.json["finalizeUploadRequest"]["video"]
    assert sorted(finalize.json["finalizeUploadRequest"]["uploadedPartIds"]) == sorted(linkedin_fake.videos[video_urn]["etags"].values())
    polls = [r for r in linkedin_fake.requests if r.path.startswith("/rest/videos/urn%3Ali%3Avideo%3A")]
    assert len(polls) == 3  # PROCESSING, PROCESSING, AVAILABLE
    assert linkedin_fake.post(result.platform_post_id).body["content"] == {"media": {"id": video_urn}}


def test_a_video_linkedin_cannot_process_fails_with_its_reason_and_posts_nothing(linkedin_account, linkedin_fake):
    linkedin_fake.fail_next_video = "Unsupported video codec"
    with pytest.raises(InvalidContent, match="Unsupported video codec"):
        publish(linkedin_account, "Broken clip", [video(linkedin_account, 100 * 1024)])
    assert linkedin_fake.posts_by(linkedin_account.platform_user_id) == []


def test_a_video_still_processing_after_the_wait_is_retried_later_and_posts_nothing(linkedin_account, linkedin_fake, settings):
    linkedin_fake.video_processing_polls = 10_000
    settings.LINKEDIN_MEDIA_WAIT_SECONDS = 0.3
    with pytest.raises(TransientError, match="still processing"):
        publish(linkedin_account, "Slow clip", [video(linkedin_account, 100 * 1024)])
    assert linkedin_fake.posts_by(linkedin_account.platform_user_id) == []


def test_metrics_read_social_actions_and_page_share_statistics(linkedin_account, linkedin_page_account, linkedin_fake):
    member_post = publish(linkedin_account, "Member post").platform_post_id
    page_post = publish(linkedin_page_account, "Page post").platform_post_id
    for urn, counts in ((member_post, dict(likes=4, comments=2)), (page_post, dict(likes=7, comments=1, impressions=900, clicks=30, shares=5))):
        for name, value in counts.items():
            setattr(linkedin_fake.post(urn), name, value)
    member = PlatformFactory.get_platform(linkedin_account).fetch_metrics(member_post)
    page = PlatformFactory.get_platform(linkedin_page_account).fetch_metrics(page_post)
    assert (member.likes, member.replies, member.impressions) == (4, 2, 0)
    assert (page.likes, page.replies, page.impressions, page.clicks, page.reposts) == (7, 1, 900, 30, 5)
    stats = linkedin_fake.requests_to("/rest/organizationalEntityShareStatistics")[0]
    assert stats.query["shares"] == f"List({page_post})" and stats.query["organizationalEntity"] == linkedin_page_account.platform_user_id


def test_delete_addresses_the_post_by_its_encoded_urn_and_tolerates_a_gone_post(linkedin_account, linkedin_fake):
    urn = publish(linkedin_account, "Remove me").platform_post_id
    adapter = PlatformFactory.get_platform(linkedin_account)
    adapter.delete(urn)
    adapter.delete(urn)  # already gone: nothing to do
    deletes = [r for r in linkedin_fake.requests if r.method == "DELETE"]
    assert deletes[0].path == "/rest/posts/" + urn.replace(":", "%3A") and deletes[0].headers["x-restli-method"] == "DELETE"
    assert linkedin_fake.post(urn).deleted
