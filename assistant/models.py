from django.conf import settings
from django.db import models


class BrandVoice(models.Model):
    """How a workspace writes: what the assistant is told before every request of that workspace."""

    class Emoji(models.TextChoices):
        NONE = "none", "No emoji"
        SOME = "some", "An emoji now and then"
        MANY = "many", "Plenty of emoji"

    class Hashtags(models.TextChoices):
        NONE = "none", "No hashtags"
        FEW = "few", "One to three hashtags"
        MANY = "many", "Many hashtags where the network likes them"

    workspace = models.OneToOneField("accounts.Workspace", on_delete=models.CASCADE, related_name="voice")
    description = models.TextField(blank=True, max_length=2000, help_text="What the business does.")
    audience = models.TextField(blank=True, max_length=1000, help_text="Who the posts are for.")
    tone = models.CharField(blank=True, max_length=300, help_text="e.g. warm, plain-spoken, a little playful.")
    avoid_words = models.TextField(blank=True, max_length=1000, help_text="Words never to use, one per line or comma-separated.")
    avoid_topics = models.TextField(blank=True, max_length=1000, help_text="Topics never to touch.")
    emoji = models.CharField(max_length=10, choices=Emoji.choices, default=Emoji.SOME)
    hashtags = models.CharField(max_length=10, choices=Hashtags.choices, default=Hashtags.FEW)
    call_to_action = models.CharField(blank=True, max_length=500, help_text="e.g. invite replies; link to the shop.")
    language = models.CharField(blank=True, max_length=50, help_text="Language to write in, e.g. English, de, Français.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self):
        return f"Voice of {self.workspace}"

    def avoided_words(self) -> list[str]:
        raw = self.avoid_words.replace(",", "\n")
        return [word.strip() for word in raw.splitlines() if word.strip()]


class AssistantRequest(models.Model):
    """One request to the assistant: who asked, for what, what the provider charged, how it ended."""

    class Feature(models.TextChoices):
        CAPTIONS = "captions", "Captions"
        ADAPT = "adapt", "Adapt"
        HASHTAGS = "hashtags", "Hashtags"
        ALT_TEXT = "alt_text", "Alt text"

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="assistant_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    feature = models.CharField(max_length=20, choices=Feature.choices)
    provider = models.CharField(max_length=20)
    model = models.CharField(max_length=200, blank=True)
    calls = models.PositiveSmallIntegerField(default=0, help_text="Model calls this request made (retries included).")
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=30, default="ok")
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "created_at"], name="assist_req_ws_created")]

    def __str__(self):
        return f"{self.feature} for {self.workspace_id} ({self.outcome})"
