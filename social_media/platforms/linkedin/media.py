"""Uploading attachments before the post: images (`/rest/images?action=initializeUpload` -> PUT the bytes
to `uploadUrl`) and videos (`/rest/videos?action=initializeUpload` -> PUT each part of
`uploadInstructions`, collect the ETags -> `action=finalizeUpload` -> wait until the video is AVAILABLE).
Returns the image/video URNs the post's `content` names.
"""

from __future__ import annotations

import time

from django.conf import settings

from social_media.platforms.base import InvalidContent, MediaItem, TransientError

from .client import LinkedInClient, encode

FAILED_VIDEO_STATES = {"PROCESSING_FAILED"}


def upload(client: LinkedInClient, owner: str, item: MediaItem) -> str:
    return upload_video(client, owner, item) if item.media_type == "video" else upload_image(client, owner, item)


def upload_image(client: LinkedInClient, owner: str, item: MediaItem) -> str:
    answer = client.json("POST", "/rest/images", query="action=initializeUpload",
                         json={"initializeUploadRequest": {"owner": owner}}, what="image upload", write=True)
    value = answer.get("value") or {}
    if not value.get("uploadUrl") or not value.get("image"):
        raise TransientError("LinkedIn did not say where to upload the image; will retry.")
    with item.open() as handle:
        data = handle.read()
    client.send("PUT", value["uploadUrl"], data=data, headers={"Content-Type": "application/octet-stream"}, what="image upload", write=True)
    return value["image"]


def upload_video(client: LinkedInClient, owner: str, item: MediaItem) -> str:
    request = {"owner": owner, "fileSizeBytes": item.file_size, "uploadCaptions": False, "uploadThumbnail": False}
    answer = client.json("POST", "/rest/videos", query="action=initializeUpload", json={"initializeUploadRequest": request}, what="video upload", write=True)
    value = answer.get("value") or {}
    video, instructions = value.get("video"), value.get("uploadInstructions") or []
    if not video or not instructions:
        raise TransientError("LinkedIn did not say where to upload the video; will retry.")
    etags = []
    with item.open() as handle:
        for part in sorted(instructions, key=lambda p: int(p["firstByte"])):
            handle.seek(int(part["firstByte"]))
            chunk = handle.read(int(part["lastByte"]) - int(part["firstByte"]) + 1)
            response = client.send("PUT", part["uploadUrl"], data=chunk, headers={"Content-Type": "application/octet-stream"},
                                   what="video upload", write=True)
            etag = response.headers.get("ETag")
            if not etag:
                raise TransientError("LinkedIn accepted a video part without its ETag; will retry the upload.")
            etags.append(etag)
    finalize = {"video": video, "uploadToken": value.get("uploadToken", ""), "uploadedPartIds": etags}
    client.call("POST", "/rest/videos", query="action=finalizeUpload", json={"finalizeUploadRequest": finalize}, what="video upload", write=True)
    wait_until_available(client, video)
    return video


def wait_until_available(client: LinkedInClient, video: str) -> None:
    """Poll GET /rest/videos/{urn} until AVAILABLE; PROCESSING_FAILED is the video's fault."""
    deadline = time.monotonic() + float(settings.LINKEDIN_MEDIA_WAIT_SECONDS)
    while True:
        answer = client.json("GET", f"/rest/videos/{encode(video)}", what="video")
        status = answer.get("status")
        if status == "AVAILABLE":
            return
        if status in FAILED_VIDEO_STATES:
            reason = answer.get("processingFailureReason") or "no reason given"
            raise InvalidContent(f"LinkedIn could not process the video ({reason}); check its format and length.")
        if time.monotonic() >= deadline:
            raise TransientError(f"LinkedIn was still processing the video (status {status}) after "
                                 f"{settings.LINKEDIN_MEDIA_WAIT_SECONDS:.0f} s; will retry.")
        time.sleep(float(settings.LINKEDIN_MEDIA_POLL_SECONDS))
