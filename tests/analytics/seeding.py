"""Seeded histories with known answers: posts, targets and their latest figures written in bulk, and a
simulated account whose engagement follows a planted model (growth, a 3x hour, a hashtag lift)."""

import math
import random
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from analytics.models import ENGAGEMENT_METRICS, METRICS, PostAnalytics
from social_media.models import Post, PostTarget, Status

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def seed_posts(account, items):
    """items: [(posted_at, {"likes": n, ...}, content)] -> the PostAnalytics rows, in order."""
    posts = Post.objects.bulk_create([
        Post(workspace_id=account.workspace_id, content=content, status=Status.POSTED, posted_at=at) for at, _f, content in items
    ])
    targets = PostTarget.objects.bulk_create([
        PostTarget(post=post, account=account, status=Status.POSTED, posted_at=post.posted_at, platform_post_id=f"p{post.pk}")
        for post in posts
    ])
    rows = []
    for target, (at, figures, _content) in zip(targets, items):
        figures = {name: int(figures.get(name, 0)) for name in METRICS}
        rows.append(PostAnalytics(
            target=target, workspace_id=account.workspace_id, post_id=target.post_id, account=account, platform=account.platform, posted_at=at,
            engagement_total=sum(figures[name] for name in ENGAGEMENT_METRICS), **figures,
        ))
    return PostAnalytics.objects.bulk_create(rows)


@dataclass
class World:
    """The planted model: engagement = base(t) x hour effect x hashtag effect x noise, where base grows
    `growth` times over the history (followers growing), posts at `best_slot` (local) get `slot_lift`,
    posts tagged `best_tag` get `tag_lift`."""

    start: datetime
    days: int
    growth: float = 50.0
    slot_lift: float = 3.0
    best_slot: tuple = (1, 9)  # Tuesday 09:00 local
    tag_lift: float = 1.0
    best_tag: str = "launch"
    noise: float = 0.3
    base: float = 10.0
    tz: zoneinfo.ZoneInfo = BERLIN

    def base_at(self, at):
        fraction = (at - self.start).total_seconds() / (self.days * 86400)
        return self.base * self.growth ** min(max(fraction, 0.0), 1.5)

    def engagement(self, at, content, rng):
        local = at.astimezone(self.tz)
        value = self.base_at(at)
        if (local.weekday(), local.hour) == self.best_slot:
            value *= self.slot_lift
        if f"#{self.best_tag}" in content:
            value *= self.tag_lift
        return max(0, round(value * math.exp(rng.gauss(0, self.noise))))


def local(day, hour, minute=0, tz=BERLIN):
    """An aware datetime at `hour`:`minute` local time on `day` (a date)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def simulate_history(world, *, seed=7, per_day=2, best_slot_share=0.7, late_slot=(4, 18), late_days=22,
                     tags=("news", "monday", "tips"), tagged_share=0.5):
    """[(posted_at, figures, content)]: `per_day` posts a day at random local hours 8-21; most Tuesdays
    one at 09:00; the `late_slot` hour (Friday 18:00) is used only in the last `late_days` days, when
    the account is largest (raw engagement there looks best, normalised it does not)."""
    rng = random.Random(seed)
    items = []
    for offset in range(world.days):
        day = (world.start + timedelta(days=offset)).astimezone(world.tz).date()
        hours = rng.sample([h for h in range(8, 22) if (day.weekday(), h) not in (world.best_slot, late_slot)], per_day)
        if day.weekday() == world.best_slot[0] and rng.random() < best_slot_share:
            hours.append(world.best_slot[1])
        if day.weekday() == late_slot[0] and offset >= world.days - late_days:
            hours += [late_slot[1]] * 1
        for hour in hours:
            at = local(day, hour, rng.randrange(0, 60))
            tag = rng.choice(tags)
            content = f"Post {offset}-{hour} #{tag}"
            if rng.random() < tagged_share / 2:
                content += f" #{world.best_tag}"
            likes = world.engagement(at, content, rng)
            items.append((at, {"likes": likes, "reposts": likes // 5, "impressions": likes * 20}, content))
    return items
