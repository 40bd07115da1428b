"""Read-side insights, each a plain function with keyword arguments (the API, the web page, the admin
page and the benchmark call the same ones):

- overview.py   totals, per network and per account, engagement rate, daily series, follower growth, top posts
- accounts.py   one account: follower series and per-post performance
- normalise.py  engagement of each post relative to its account's baseline at the time
- best_times.py expected engagement per hour of the week, learnt from the account's own posts
- hashtags.py   hashtags ranked by lift over the account's baseline; suggestions for a draft
- slots.py      a weekly queue schedule from the best times
- tz.py         which time zone a workspace's and an account's figures are read in
- export.py     CSV rows, streamed
"""

from .series import daily_engagement, top_posts

__all__ = ["daily_engagement", "top_posts"]
