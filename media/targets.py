"""A post's media as one target's network gets it: the rendition for that network (or the original where
it already fits), with a signed public URL, and the problems no rendition can fix.

`prepared_media(..., make_video=False)` is the schedule-time form: image renditions are made (they take
well under a second and their exact bytes decide validity), video transcodes are only planned (their
facts estimated from the spec) and made ahead of time on the media queue; publishing calls it with
make_video=True, which makes or reuses every rendition."""

from __future__ import annotations

from social_media.platforms.base import MediaItem

from .models import MediaFile
from .public import url_maker
from .renditions import GIF_TO_VIDEO, ORIGINAL, TRANSCODE, RenditionFailed, existing, plan, rendition_for
from .specs import FITS, NETWORK_SPECS, spec_for, spec_key

FIT_SETTING = "media_fit"  # PostTarget.platform_specific_settings key: "pad" (default) or "crop"


def media_fit(target) -> str:
    value = (getattr(target, "platform_specific_settings", None) or {}).get(FIT_SETTING) or "pad"
    return value if value in FITS else "pad"


def fit_errors(target) -> list[str]:
    value = (getattr(target, "platform_specific_settings", None) or {}).get(FIT_SETTING)
    if value is None or value in FITS:
        return []
    return [f"media_fit must be 'pad' or 'crop', not {value!r}."]


def _opener(storage, name):
    return lambda: storage.open(name, "rb")


def _not_made_yet():
    raise RuntimeError("This rendition is made when the post is published.")


def item_of(media: MediaFile, rendition=None) -> MediaItem:
    source = rendition or media
    return MediaItem(
        media_id=media.pk,
        media_type=source.media_type,
        mime_type=source.mime_type,
        file_size=source.file_size,
        width=source.width,
        height=source.height,
        duration=source.duration,
        alt_text=media.alt_text,
        open=_opener(source.file.storage, source.file.name),
        public_url=url_maker(source.file.name, source.mime_type),
        cache_key=source.file.name,
    )


def _estimated(media: MediaFile, spec, chosen) -> MediaItem:
    """What a video rendition that is not made yet will be: MP4 within the spec's size."""
    size = media.file_size
    if spec.video_max_bytes:
        size = min(size, spec.video_max_bytes - 1)
    return MediaItem(
        media_id=media.pk, media_type="video", mime_type=chosen.mime_type, file_size=size, width=media.width,
        height=media.height, duration=media.duration, alt_text=media.alt_text, open=_not_made_yet,
    )


def _label(number, media):
    kind = {"image": "Image", "gif": "GIF", "video": "Video"}.get(media.media_type, "File")
    return f"{kind} {number} ({media.original_filename})"


def media_links(post):
    """The post's media files, in their order (one query, unless prefetched): read once, they can be
    checked for every target (`prepared_media(media_files=...)`)."""
    if "post_media" in getattr(post, "_prefetched_objects_cache", {}):
        return [link.media for link in post.post_media.all()]
    return [link.media for link in post.post_media.select_related("media")]


def _is_stored(media):
    """Whether the media's stored file is there: one storage lookup per instance, however many
    targets ask."""
    if "_is_stored" not in media.__dict__:
        media.__dict__["_is_stored"] = media.file.storage.exists(media.file.name)
    return media.__dict__["_is_stored"]


def prepared_media(post, account, *, fit="pad", make_video=True, media_files=None, check_stored=True) -> tuple[list[MediaItem], list[str], list[int]]:
    """(items for the adapter, problems, ids of media whose rendition is still to be made), for the
    post's attachments or, for a post not saved yet (the composer's live check), `media_files`.
    `check_stored`: report an attachment whose stored file is gone (one storage lookup each; the
    composer's live check, run as the user types, leaves it to scheduling)."""
    items, problems, pending = [], [], []
    spec = NETWORK_SPECS.get(account.platform) and spec_for(account)
    for number, media in enumerate(media_links(post) if media_files is None else media_files, start=1):
        if media.status == MediaFile.ProcessingStatus.FAILED:
            problems.append(f"{_label(number, media)} could not be processed: {media.status_reason or 'unknown error'}. Remove it and upload it again.")
            continue
        if check_stored and not _is_stored(media):
            problems.append(f"{_label(number, media)}: its stored file is missing. Remove it and upload it again.")
            continue
        if spec is None:
            items.append(item_of(media))
            continue
        chosen = plan(media, spec)
        if chosen.problems:
            problems.extend(chosen.problems)
            continue
        if chosen.action == ORIGINAL:
            items.append(item_of(media))
            continue
        if chosen.action in (TRANSCODE, GIF_TO_VIDEO) and not make_video:
            made = existing(media, spec_key(account.platform, spec, fit), verify_stored=check_stored)
            if made is None:
                pending.append(media.pk)
                items.append(_estimated(media, spec, chosen))
            else:
                items.append(item_of(media, made))
            continue
        try:  # IMAGE, or a video rendition at publish time
            items.append(item_of(media, rendition_for(media, account.platform, spec, fit=fit, verify_stored=check_stored)))
        except RenditionFailed as exc:
            problems.append(f"{_label(number, media)}: {exc.message}")
    return items, problems, pending
