"""The explicit platform registry: key -> (label, adapter class path). Adapters import lazily on first
use; the ConnectedAccount `platform` choices come from this same dict."""

PLATFORMS = {
    "x": ("X", "social_media.platforms.x.XAdapter"),
    "bluesky": ("Bluesky", "social_media.platforms.bluesky.BlueskyAdapter"),
    "mastodon": ("Mastodon", "social_media.platforms.mastodon.MastodonAdapter"),
    "threads": ("Threads", "social_media.platforms.threads.ThreadsAdapter"),
    "reddit": ("Reddit", "social_media.platforms.reddit.RedditAdapter"),
    "linkedin": ("LinkedIn", "social_media.platforms.linkedin.LinkedInAdapter"),
    "facebook": ("Facebook Page", "social_media.platforms.facebook.FacebookAdapter"),
    "instagram": ("Instagram", "social_media.platforms.instagram.InstagramAdapter"),
}

PLATFORM_CHOICES = [(key, label) for key, (label, _path) in PLATFORMS.items()]
