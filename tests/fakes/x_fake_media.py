"""Media endpoints of the X fake (tests/fakes/x_fake.py), as a mixin: the one-shot upload for images,
initialize/append/finalize for GIF and video with a STATUS that reports in_progress once before
succeeded (or failed, see XFake.fail_next_processing), and alt text via /2/media/metadata."""

from __future__ import annotations

import time

from tests.fakes.x_fake_state import FakeMedia, Reply, invalid

MB = 1024 * 1024
MEDIA_TYPES = {"video/mp4", "video/webm", "video/mp2t", "video/quicktime", "image/jpeg", "image/gif", "image/png", "image/webp"}
CATEGORY_LIMITS = {"tweet_image": 5 * MB, "tweet_gif": 15 * MB, "tweet_video": 512 * MB}
MEDIA_KEY_PREFIX = {"tweet_image": "3", "tweet_gif": "16", "tweet_video": "7"}
MAX_SEGMENT_BYTES = 5 * MB


class XMediaRoutes:
    def upload_simple(self, request, blobs):
        user = self._user(request, "media.write")
        if set(request.form) - {"media_category", "additional_owners"} or "media" not in blobs:
            raise invalid("Expected multipart fields media and media_category only.")
        category = request.form.get("media_category")
        if category != "tweet_image":
            raise invalid("Use the chunked upload (initialize/append/finalize) for video and GIF.", media_category=[category])
        _, content_type, data = blobs["media"]
        if len(data) > CATEGORY_LIMITS[category]:
            raise invalid(f"File size exceeds {CATEGORY_LIMITS[category]} bytes.")
        media = FakeMedia(self._new_id(), user.id, category, content_type, len(data), "succeeded")
        self.media[media.id] = media
        return Reply(200, {"data": {"id": media.id, "media_key": f"3_{media.id}", "size": len(data),
                                    "expires_after_secs": 86400, "image": {"image_type": content_type}}})

    def upload_initialize(self, request, blobs):
        user = self._user(request, "media.write")
        body = request.json if isinstance(request.json, dict) else {}
        category, media_type, total = body.get("media_category"), body.get("media_type"), body.get("total_bytes")
        if category not in CATEGORY_LIMITS or media_type not in MEDIA_TYPES or not isinstance(total, int) or total < 0:
            raise invalid("media_category, media_type and total_bytes are required.", body=sorted(body))
        if total > CATEGORY_LIMITS[category]:
            raise invalid(f"total_bytes exceeds {CATEGORY_LIMITS[category]} bytes for {category}.")
        media = FakeMedia(self._new_id(), user.id, category, media_type, total, "uploading")
        self.media[media.id] = media
        return Reply(200, {"data": {"id": media.id, "media_key": f"{MEDIA_KEY_PREFIX[category]}_{media.id}", "expires_after_secs": 86400}})

    def upload_append(self, request, blobs, media_id):
        media = self._own_media(request, media_id)
        index = request.form.get("segment_index", "")
        if media.state != "uploading" or "media" not in blobs or not index.isdigit() or int(index) > 999:
            raise invalid("Expected an uploading media id, media and segment_index 0..999.")
        if len(blobs["media"][2]) > MAX_SEGMENT_BYTES:
            raise invalid("Segment exceeds 5 MB.")
        media.segments[int(index)] = len(blobs["media"][2])
        return Reply(200, {"data": {"expires_at": int(time.time()) + 86400}})

    def upload_finalize(self, request, blobs, media_id):
        media = self._own_media(request, media_id)
        indexes = sorted(media.segments)
        if media.state != "uploading" or indexes != list(range(len(indexes))) or sum(media.segments.values()) != media.total_bytes:
            raise invalid("Segments do not add up to provided total file size.")
        media.state = "pending"
        media.failure = self._processing_failures.pop(0) if self._processing_failures else ""
        return Reply(200, {"data": self._media_data(media)})

    def upload_status(self, request, blobs):
        self._only(request.query, {"media_id", "command"})
        media = self._own_media(request, request.query.get("media_id", ""))
        if media.state in ("pending", "in_progress"):
            media.state = {"pending": "in_progress", "in_progress": "failed" if media.failure else "succeeded"}[media.state]
        return Reply(200, {"data": self._media_data(media)})

    def media_metadata(self, request, blobs):
        body = request.json if isinstance(request.json, dict) else {}
        media = self._own_media(request, str(body.get("id", "")))
        text = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
        if not isinstance(text, str) or len(text) > 1000:
            raise invalid("metadata.alt_text.text must be a string of at most 1000 characters.")
        media.alt_text = text
        return Reply(200, {"data": {"id": media.id, "associated_metadata": {"alt_text": {"text": text}}}})

    def _own_media(self, request, media_id):
        user = self._user(request, "media.write")
        media = self.media.get(media_id)
        if not media or media.owner_id != user.id:
            raise invalid("Invalid media_id.", media_id=[media_id])
        return media

    def _media_data(self, media):
        data = {"id": media.id, "media_key": f"{MEDIA_KEY_PREFIX[media.category]}_{media.id}", "size": media.total_bytes,
                "expires_after_secs": 86400}
        progress = {"pending": 0, "in_progress": 50, "succeeded": 100, "failed": 50}.get(media.state)
        if progress is not None and media.category != "tweet_image":
            info = {"state": media.state, "progress_percent": progress}
            if media.state in ("pending", "in_progress"):
                info["check_after_secs"] = self.check_after_secs
            if media.state == "failed":
                info["error"] = {"code": 1, "name": "InvalidMedia", "message": media.failure}
            data["processing_info"] = info
        return data
