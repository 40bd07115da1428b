"""crash_safety.py --network facebook / instagram: the Meta fake (tests/fakes/meta_fake/) with one Page
(Facebook) or one Instagram business account (Instagram) per account. Neither takes an idempotency key,
so a re-sent post is a real duplicate. Facebook: after a lost answer or a killed worker the engine
looks for the text among the Page's posts. Instagram: the container id is stored before media_publish,
and its status (PUBLISHED or not) says whether an earlier attempt published it."""

from datetime import datetime, timedelta, timezone

APP_ID, APP_SECRET = "bench-meta-app", "bench-meta-secret"


def tally(items, key):
    """{text: how many of `items` carry it under `key`}"""
    counts = {}
    for item in items:
        counts[item[key]] = counts.get(item[key], 0) + 1
    return counts


def first_arrivals(items, key):
    """{text: when the first of `items` carrying it was created}"""
    first = {}
    for item in sorted(items, key=lambda i: i["created"]):
        first.setdefault(item[key], datetime.fromtimestamp(item["created"], timezone.utc))
    return first


class Network:
    """The interface bench/crash_safety.py's run_network expects (see bench/networks_threads.py)."""

    name = "facebook"

    def __init__(self):
        from tests.fakes.meta_fake import MetaFake

        self.fake = MetaFake(app_id=APP_ID, app_secret=APP_SECRET)
        self.fake.latency = 0.05  # a network round trip, so kills land mid-request
        base_url = self.fake.start()
        self.env = {"META_APP_ID": APP_ID, "META_APP_SECRET": APP_SECRET, "META_GRAPH_VERSION": self.fake.version,
                    "META_GRAPH_BASE_URL": base_url, "META_GRAPH_VIDEO_BASE_URL": base_url, "META_AUTHORIZE_URL": base_url,
                    "META_TIMEOUT_SECONDS": 5, "ALLOW_INSECURE_NETWORK_URLS": 1}

    def make_accounts(self, owner, count):
        from social_media.models import ConnectedAccount

        accounts = []
        for i in range(count):
            user = self.fake.add_user(f"Crash {i}")
            page = self.fake.add_page(user, f"Crash Page {i}")
            accounts.append(ConnectedAccount(
                workspace=owner.personal_workspace, platform="facebook", platform_user_id=page["id"], platform_username=page["name"],
                access_token=self.fake.page_token(user["id"], page["id"]), refresh_token=self.fake.user_token(user),
                token_expires_at=datetime.now(timezone.utc) + timedelta(days=60), platform_settings={"page_id": page["id"]},
            ))
        return ConnectedAccount.objects.bulk_create(accounts)

    def prepare_targets(self):
        """Facebook targets need no settings."""

    def sends(self):
        """How many create requests reached the fake per text."""
        counts = {}
        for request in self.fake.requests_to("/feed", method="POST"):
            text = request.form.get("message")
            counts[text] = counts.get(text, 0) + 1
        return counts

    def stored(self):
        return tally(self.fake.live_posts(), "message")

    def arrivals(self):
        return first_arrivals(self.fake.live_posts(), "message")

    def stop(self):
        self.fake.stop()


class Instagram(Network):
    """`--network instagram`: one Instagram business account (linked to its Page) per account, and on
    each post a stored 1080x1350 JPEG (4:5, within Instagram's aspect range, so the original is sent
    as it is). The fake DOWNLOADS every image_url when it makes the container, so the bench serves
    the project's `media-public` view (bench/common.DjangoServer) and gives its address to the
    workers as PUBLIC_BASE_URL: the image reaches the fake through the same signed URL a real
    deployment gives Meta."""

    name = "instagram"

    def __init__(self):
        from common import DjangoServer

        super().__init__()
        self.web = DjangoServer()
        self.env.update({"META_CONTAINER_POLL_SECONDS": 0.2, "META_CONTAINER_MAX_WAIT_SECONDS": 20, "PUBLIC_BASE_URL": self.web.url})

    def make_accounts(self, owner, count):
        from social_media.models import ConnectedAccount

        accounts = []
        for i in range(count):
            user = self.fake.add_user(f"Crash {i}")
            page = self.fake.add_page(user, f"Crash Page {i}", instagram=f"crash{i}")
            ig = self.fake.instagram[page["instagram"]]
            accounts.append(ConnectedAccount(
                workspace=owner.personal_workspace, platform="instagram", platform_user_id=ig["id"], platform_username=ig["username"],
                access_token=self.fake.page_token(user["id"], page["id"]), refresh_token=self.fake.user_token(user),
                token_expires_at=datetime.now(timezone.utc) + timedelta(days=60),
                platform_settings={"meta_user_id": user["id"], "page_id": page["id"], "page_name": page["name"]},
            ))
        return ConnectedAccount.objects.bulk_create(accounts)

    def prepare_targets(self):
        """One stored JPEG per post (its own file, as an upload would be), attached as the post's media."""
        from io import BytesIO

        from django.core.files.base import ContentFile
        from PIL import Image, ImageDraw

        from media.models import MediaFile
        from social_media.models import Post, PostMedia

        links = []
        for post in Post.objects.all():
            image = Image.new("RGB", (1080, 1350), (200, 120, 40))
            ImageDraw.Draw(image).text((40, 40), post.content, fill=(255, 255, 255))
            buffer = BytesIO()
            image.save(buffer, format="JPEG", quality=85)
            data = buffer.getvalue()
            media = MediaFile.objects.create(
                workspace_id=post.workspace_id, uploaded_by_id=post.author_id, media_type=MediaFile.MediaType.IMAGE,
                original_filename="photo.jpg", file=ContentFile(data, name="photo.jpg"), file_size=len(data), mime_type="image/jpeg",
                width=1080, height=1350, status=MediaFile.ProcessingStatus.READY,
            )
            links.append(PostMedia(post=post, media=media, order=0))
        PostMedia.objects.bulk_create(links)

    def _caption_of_container(self):
        with self.fake.lock:
            return {c["id"]: c["caption"] for c in self.fake.containers.values()}

    def sends(self):
        """{caption: media_publish requests for it}: a retry of a container not yet published may rightly
        call twice; the fake answers "already published" (2207008) to a second publish of one container."""
        captions, counts = self._caption_of_container(), {}
        for request in self.fake.requests_to("/media_publish", method="POST"):
            caption = captions.get(request.param("creation_id", ""))
            if caption is not None:
                counts[caption] = counts.get(caption, 0) + 1
        return counts

    def stored(self):
        """{caption: live Instagram media with it}"""
        return tally(self.fake.live_media(), "caption")

    def arrivals(self):
        return first_arrivals(self.fake.live_media(), "caption")

    def details(self):
        """What the image path did: containers made (more than one per caption: a worker died between
        creating one and storing its id; the orphan is never published), and the fake's downloads."""
        with self.fake.lock:
            containers = list(self.fake.containers.values())
            downloads = list(self.fake.downloads)
            requests = list(self.fake.requests)
        published = set()  # containers media_publish was sent for, so far in the request log
        read_after_publish = set()  # ...whose status was read again after that: the engine checked an earlier attempt
        for request in requests:
            if request.method == "POST" and request.path.endswith("/media_publish"):
                published.add(request.param("creation_id", ""))
            elif request.method == "GET" and request.path.rsplit("/", 1)[-1] in published:
                read_after_publish.add(request.path.rsplit("/", 1)[-1])
        per_caption = {}
        for container in containers:
            per_caption[container["caption"]] = per_caption.get(container["caption"], 0) + 1
        return {"containers": len(containers), "captions_with_several_containers": sum(1 for n in per_caption.values() if n > 1),
                "containers_in_error": sum(1 for c in containers if c["outcome"] == "ERROR"),
                "published_containers_checked_again": len(read_after_publish),
                "image_downloads": len(downloads), "image_downloads_not_200": sum(1 for d in downloads if d["status"] != 200),
                "image_downloads_from_signed_urls": sum(1 for d in downloads if "/media/public/" in d["url"]),
                "download_failures": sum(1 for c in containers if c["message"].startswith("Error: Media download"))}

    def stop(self):
        self.web.stop()
        super().stop()
