"""The writing assistant's services: captions, adapt, hashtags and alt text, with the workspace's voice.

Every variant a model writes is checked with the network's own validator (the code the engine runs
before publishing: social_media.services.validation.validate_draft) and compared with the workspace's
recent posts (assistant.similarity). A variant over a limit, repeating a recent post or another
variant, or using an avoided word is sent back to the model with the reason, a bounded number of
times (ASSISTANT_MAX_ATTEMPTS calls per network); one that still fails is never returned.
Every request is counted against the workspace's daily quota and leaves an AssistantRequest row."""

import io
import logging
import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from PIL import Image as PILImage

from accounts.throttling import _hit, quota_key
from social_media.models import Post, Status
from social_media.platforms import PLATFORMS, PlatformFactory
from social_media.services.validation import validate_draft

from . import prompts
from .errors import AssistantError, DailyQuotaSpent, ImagesUnsupported, InvalidOutput
from .models import AssistantRequest, BrandVoice
from .providers import get_provider, provider_settings
from .providers.base import Image, Prompt
from .similarity import closest

logger = logging.getLogger(__name__)

NEUTRAL_TEXT = "Hello"  # a text every network accepts: what it still refuses is not the text's fault
ALT_TEXT_MAX = 1000  # X's limit, the lowest of the networks' alt text limits
IMAGE_EDGE = 1024  # images are sent downscaled to this longest edge, as JPEG


# --- Accounting: quota, usage row, the provider session -------------------------------------
@dataclass
class Session:
    """One assistant request's calls to the provider, with what they cost."""

    provider: object
    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    model: str = ""

    def generate(self, prompt: Prompt) -> dict:
        self.calls += 1
        generation = self.provider.generate(prompt)
        self.tokens_in += generation.tokens_in
        self.tokens_out += generation.tokens_out
        self.model = generation.model
        return generation.data


def is_enabled() -> bool:
    return provider_settings() is not None


def daily_quota(workspace) -> int | None:
    return settings.ASSISTANT_DAILY_QUOTAS.get(workspace.plan)


def consume_quota(workspace) -> None:
    """Count one request against the workspace owner's plan for today (UTC); DailyQuotaSpent past it."""
    limit = daily_quota(workspace)
    if limit is None:
        return
    wait = _hit(f"assist:{quota_key(workspace)}", limit, 86400)
    if wait is not None:
        raise DailyQuotaSpent(
            f"Your {workspace.plan} plan allows {limit} assistant requests a day, and today's are used. "
            f"More are available in {_hours(wait)}; the operator can raise it with ASSISTANT_QUOTA_{workspace.plan.upper()}.",
            retry_after=wait,
        )


def _hours(seconds: int) -> str:
    hours, minutes = divmod(max(1, seconds // 60), 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _run(*, workspace, user, feature, work):
    """Run `work(session)` as one assistant request: quota, timing, the usage row, typed errors."""
    provider = get_provider()  # NotConfigured before anything is counted
    consume_quota(workspace)
    session = Session(provider=provider, model=provider.model)
    started = time.monotonic()
    outcome, message = "ok", ""
    try:
        return work(session)
    except AssistantError as exc:
        outcome, message = exc.outcome, exc.message
        raise
    except Exception:
        outcome, message = "error", "Unexpected error"
        raise
    finally:
        AssistantRequest.objects.create(
            workspace=workspace, user=user if user and user.is_authenticated else None, feature=feature,
            provider=provider.name, model=session.model[:200], calls=session.calls, tokens_in=session.tokens_in,
            tokens_out=session.tokens_out, latency_ms=int((time.monotonic() - started) * 1000), outcome=outcome,
            message=message[:500],
        )


# --- Material the model is given ---------------------------------------------------------------
def voice_of(workspace):
    return BrandVoice.objects.filter(workspace=workspace).first()


def recent_posts(workspace, limit=None) -> list[tuple[int, str]]:
    """The workspace's last `limit` posted posts (ASSISTANT_RECENT_POSTS): (post id, text) for the
    post's text and every per-account text that differs from it."""
    limit = settings.ASSISTANT_RECENT_POSTS if limit is None else limit
    posts = (
        Post.objects.filter(workspace=workspace, status__in=[Status.POSTED, Status.PARTIALLY_POSTED])
        .order_by("-posted_at", "-id")
        .prefetch_related("targets")[:limit]
    )
    texts = []
    for post in posts:
        seen = set()
        for text in [post.content, *(target.custom_content for target in post.targets.all())]:
            if text and text not in seen:
                seen.add(text)
                texts.append((post.pk, text))
    return texts


@dataclass
class Group:
    """Accounts that take the same text: one network with one limit (two Mastodon instances of 500)."""

    platform: str
    limit: int | None
    accounts: list = field(default_factory=list)


def groups_of(accounts) -> list[Group]:
    groups: dict[tuple, Group] = {}
    for account in accounts:
        _, limit = PlatformFactory.get_platform(account).text_usage("")
        groups.setdefault((account.platform, limit), Group(account.platform, limit)).accounts.append(account)
    return list(groups.values())


def _network(group: Group) -> dict:
    adapter = PlatformFactory.get_platform(group.accounts[0])
    return prompts.network_document(group.platform, group.limit, adapter.content_limits)


# --- Checking what the model wrote ---------------------------------------------------------------
def _problems(text, group, media_files, baseline) -> tuple[list[str], int]:
    """The text's own problems on every account of the group (those a neutral text also has, like
    "Instagram needs an image", are the post's, not the text's), and its length the network's way."""
    report = validate_draft(accounts=group.accounts, content=text, media_files=media_files)
    problems = []
    for row in report:
        problems += [p for p in row["errors"] if p not in baseline and p not in problems]
    return problems, report[0]["used"]


def _post_problems(group, media_files) -> list[str]:
    report = validate_draft(accounts=group.accounts, content=NEUTRAL_TEXT, media_files=media_files)
    return sorted({p for row in report for p in row["errors"]})


def _avoided(text, voice) -> list[str]:
    if voice is None:
        return []
    found = [w for w in voice.avoided_words() if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.IGNORECASE)]
    return [f"It uses the avoided word(s): {', '.join(found)}."] if found else []


def _texts(data, key="variants") -> list[str]:
    items = data.get(key)
    if not isinstance(items, list):
        raise InvalidOutput()
    texts = []
    for item in items:
        text = item.get("text") if isinstance(item, dict) else None
        if isinstance(text, str) and text.strip():
            texts.append(text.strip())
    return texts


def _write_variants(session, *, feature, group, count, base, media_files, recent, voice, images=()):
    """Up to `count` texts for `group` that pass every check, and what was refused on the way."""
    threshold = settings.ASSISTANT_SIMILARITY_THRESHOLD
    baseline = set(_post_problems(group, media_files))
    accepted, rejected = [], []
    for _ in range(settings.ASSISTANT_MAX_ATTEMPTS):
        need = count - len(accepted)
        if need <= 0:
            break
        document = prompts.material(
            **base,
            network=_network(group),
            recent_posts=[text for _, text in recent],
            rejected=[{"text": r["text"], "why": r["why"]} for r in rejected[-8:]],
        )
        try:
            texts = _texts(session.generate(
                Prompt(instructions=prompts.task(feature, count=need), material=document, schema=prompts.VARIANTS_SCHEMA, schema_name="variants", images=list(images))
            ))
        except InvalidOutput:
            if not accepted:
                raise
            break  # keep the variants already checked rather than lose them to one bad answer
        for text in texts[:need]:
            problems, used = _problems(text, group, media_files, baseline)
            problems += _avoided(text, voice)
            near = closest(text, recent)
            if near is not None and near.similarity >= threshold:
                problems.append(f"It repeats a recent post too closely ({round(near.similarity * 100)} % of its phrases): write something new.")
            twin = closest(text, [(None, v["text"]) for v in accepted])
            if twin is not None and twin.similarity >= threshold:
                problems.append("It repeats another variant: make each variant different.")
            if problems:
                rejected.append({"text": text[:600], "why": problems})
                continue
            accepted.append({
                "text": text,
                "used": used,
                "limit": group.limit,
                "closest_recent": None if near is None else {"similarity": near.similarity, "post_id": near.post_id},
            })
    return accepted, rejected, sorted(baseline)


def _group_result(group, accepted, rejected, notes, count):
    if len(accepted) < count:
        notes = [*notes, f"{count - len(accepted)} of {count} variants did not pass {PLATFORMS[group.platform][0]}'s checks after {settings.ASSISTANT_MAX_ATTEMPTS} tries and were left out."]
    return {
        "platform": group.platform,
        "account_ids": [account.pk for account in group.accounts],
        "limit": group.limit,
        "variants": accepted,
        "rejected": len(rejected),
        "rejected_reasons": sorted({why for r in rejected for why in r["why"]})[:10],
        "notes": notes,
    }


# --- Features ---------------------------------------------------------------------------------
def captions(*, workspace, user, brief, accounts, n=3, tone="", media_files=()):
    """`n` caption variants per network of `accounts`, from `brief`, in the workspace's voice."""
    media_files = list(media_files)

    def work(session):
        voice, recent = voice_of(workspace), recent_posts(workspace)
        images = _images(media_files) if settings.ASSISTANT_IMAGES else []
        base = {"brief": brief, "tone_for_this_post": tone or None, "voice": prompts.voice_document(voice),
                "attached_media": [_media_note(m) for m in media_files] or None}
        results = []
        for group in groups_of(accounts):
            accepted, rejected, notes = _write_variants(
                session, feature="captions", group=group, count=n, base=base, media_files=media_files,
                recent=recent, voice=voice, images=images,
            )
            results.append(_group_result(group, accepted, rejected, notes, n))
        return _answer(session, results, recent)

    return _run(workspace=workspace, user=user, feature=AssistantRequest.Feature.CAPTIONS, work=work)


def adapt(*, workspace, user, content, accounts):
    """One version of `content` per network of `accounts`, each passing that network's checks."""

    def work(session):
        voice, recent = voice_of(workspace), recent_posts(workspace)
        base = {"text_to_adapt": content, "voice": prompts.voice_document(voice)}
        results = []
        for group in groups_of(accounts):
            accepted, rejected, notes = _write_variants(
                session, feature="adapt", group=group, count=1, base=base, media_files=[], recent=recent, voice=voice
            )
            results.append(_group_result(group, accepted, rejected, notes, 1))
        return _answer(session, results, recent)

    return _run(workspace=workspace, user=user, feature=AssistantRequest.Feature.ADAPT, work=work)


def _answer(session, results, recent):
    return {"provider": session.provider.name, "model": session.model, "recent_posts_compared": len({pid for pid, _ in recent}), "results": results}


HASHTAG = re.compile(r"^[^\W_][\w]*$", re.UNICODE)


def hashtags(*, workspace, user, content, account, limit=10):
    """Hashtag suggestions for `content` on `account`: the model's, and the account's own measured
    lift where analytics has it; each says where it came from ("model", "measured" or both)."""
    from .measured import measured_hashtags

    def work(session):
        group = groups_of([account])[0]
        document = prompts.material(text=content, voice=prompts.voice_document(voice_of(workspace)), network=_network(group))
        data = session.generate(Prompt(instructions=prompts.task("hashtags", count=limit), material=document, schema=prompts.HASHTAGS_SCHEMA, schema_name="hashtags"))
        items = data.get("hashtags")
        if not isinstance(items, list):
            raise InvalidOutput()
        suggestions: dict[str, dict] = {}
        for item in items:
            tag = str(item.get("tag", "") if isinstance(item, dict) else "").strip().lstrip("#")
            if HASHTAG.match(tag) and tag.casefold() not in suggestions and len(suggestions) < limit:
                suggestions[tag.casefold()] = {"tag": tag, "sources": ["model"], "reason": str(item.get("reason", ""))[:300], "lift": None, "posts": None}
        for row in measured_hashtags(account=account, content=content):
            key = row["tag"].casefold()
            entry = suggestions.setdefault(key, {"tag": row["tag"], "sources": [], "reason": "", "lift": None, "posts": None})
            entry["sources"].append("measured")
            entry.update(lift=row["lift"], posts=row["posts"])
        ordered = sorted(suggestions.values(), key=lambda s: (-len(s["sources"]), -(s["lift"] or 0)))
        return {"provider": session.provider.name, "model": session.model, "account_id": account.pk, "hashtags": ordered}

    return _run(workspace=workspace, user=user, feature=AssistantRequest.Feature.HASHTAGS, work=work)


def alt_text(*, workspace, user, media):
    """A screen-reader description of an image (a video's or GIF's first frame) in the library."""

    def work(session):
        if not settings.ASSISTANT_IMAGES:
            raise ImagesUnsupported()
        images = _images([media])
        if not images:
            raise AssistantError("This file has no picture the model could read. Write its alt text yourself.")
        voice = voice_of(workspace)
        document = prompts.material(file_name=media.original_filename, language=getattr(voice, "language", "") or None)
        data = session.generate(Prompt(instructions=prompts.task("alt_text", count=ALT_TEXT_MAX), material=document, schema=prompts.ALT_TEXT_SCHEMA, schema_name="alt_text", images=images))
        text = data.get("alt_text")
        if not isinstance(text, str) or not text.strip():
            raise InvalidOutput()
        return {"provider": session.provider.name, "model": session.model, "media_id": media.pk, "alt_text": text.strip()[:ALT_TEXT_MAX]}

    return _run(workspace=workspace, user=user, feature=AssistantRequest.Feature.ALT_TEXT, work=work)


def _media_note(media) -> dict:
    note = {"type": media.media_type, "file_name": media.original_filename}
    if media.alt_text:
        note["alt_text"] = media.alt_text
    return note


def _images(media_files) -> list[Image]:
    """The pictures of `media_files` (images, else their thumbnails) as JPEGs of at most IMAGE_EDGE px."""
    images = []
    for media in media_files[:4]:
        stored = media.file if media.media_type != "video" else media.thumbnail
        if not stored:
            continue
        try:
            with stored.open("rb") as handle, PILImage.open(handle) as picture:
                picture.seek(0)
                frame = picture.convert("RGB")
                frame.thumbnail((IMAGE_EDGE, IMAGE_EDGE))
                out = io.BytesIO()
                frame.save(out, "JPEG", quality=85)
        except (OSError, ValueError):
            logger.warning("assistant: media %s could not be read as a picture", media.pk)
            continue
        images.append(Image(out.getvalue(), "image/jpeg"))
    return images


# --- Voice and usage ----------------------------------------------------------------------------
def voice_update(*, workspace, user, changes) -> BrandVoice:
    voice, _ = BrandVoice.objects.get_or_create(workspace=workspace)
    for name, value in changes.items():
        setattr(voice, name, value)
    voice.updated_by = user if user and user.is_authenticated else None
    voice.full_clean()
    voice.save()
    return voice


def usage(*, workspace, since, until):
    """Requests, model calls, tokens and failures per day and feature."""
    rows = (
        AssistantRequest.objects.filter(workspace=workspace, created_at__gte=since, created_at__lt=until)
        .annotate(day=TruncDate("created_at"))
        .values("day", "feature")
        .annotate(requests=Count("id"), calls=Sum("calls"), tokens_in=Sum("tokens_in"), tokens_out=Sum("tokens_out"),
                  failed=Count("id", filter=~Q(outcome="ok")))
        .order_by("day", "feature")
    )
    return list(rows)

