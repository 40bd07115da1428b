"""A weekly posting schedule for a queue from the best times of its accounts, in the queue's time zone:
each hour's score is the mean of the accounts' scores (in log space), and the best `posts_per_week`
hours are taken, at most `per_day` a day and at least MIN_GAP_HOURS apart on the same day."""

import math
import zoneinfo

from .best_times import DAYS, best_times

MIN_GAP_HOURS = 3


def suggest_slots(*, queue, posts_per_week, per_day=None, now=None):
    tz = zoneinfo.ZoneInfo(queue.timezone)
    accounts = list(queue.target_accounts.all())
    if not accounts:
        return {"timezone": queue.timezone, "posting_schedule": {}, "slots": [], "accounts": []}
    answers = [best_times(account=account, tz=tz, now=now) for account in accounts]
    per_day = per_day or max(1, math.ceil(posts_per_week / 7) + 1)
    combined = []
    for slot in range(7 * 24):
        logs = [math.log(a["slots"][slot]["score"]) for a in answers]
        lows = [math.log(a["slots"][slot]["low"]) for a in answers if a["slots"][slot]["low"]]
        combined.append((slot, math.exp(sum(logs) / len(logs)), math.exp(sum(lows) / len(lows)) if lows else 0.0))
    combined.sort(key=lambda item: (-item[1], -item[2], item[0]))
    chosen = []
    for slot, score, low in combined:
        if len(chosen) == posts_per_week:
            break
        same_day = [s for s, *_ in chosen if s // 24 == slot // 24]
        if len(same_day) >= per_day or any(abs(s - slot) < MIN_GAP_HOURS for s in same_day):
            continue
        chosen.append((slot, score, low))
    chosen.sort()
    schedule = {}
    for slot, _score, _low in chosen:
        schedule.setdefault(DAYS[slot // 24], []).append(f"{slot % 24:02d}:00")
    return {
        "timezone": queue.timezone,
        "posting_schedule": schedule,
        "slots": [{"day": DAYS[s // 24], "time": f"{s % 24:02d}:00", "score": round(score, 4)} for s, score, _ in chosen],
        "accounts": [{"account": a["account"], "source": a["source"], "posts_used": a["posts_used"]} for a in answers],
    }
