from rest_framework import serializers

from assistant.models import BrandVoice
from media.models import MediaFile
from social_media.api.fields import WorkspaceObjectsField
from social_media.api.serializers import MAX_TARGETS, active_accounts

MAX_BRIEF = 2000
MAX_VARIANTS = 5
MAX_MEDIA = 4


class CaptionsRequestSerializer(serializers.Serializer):
    brief = serializers.CharField(max_length=MAX_BRIEF, help_text="What the post is about, in your words.")
    account_ids = WorkspaceObjectsField(queryset=active_accounts, noun="active connected account", max_length=MAX_TARGETS, min_length=1)
    n = serializers.IntegerField(min_value=1, max_value=MAX_VARIANTS, default=3, help_text="Variants per network.")
    tone = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    media_ids = WorkspaceObjectsField(queryset=MediaFile.objects.all(), noun="media file", required=False, max_length=MAX_MEDIA, default=list)


class AdaptRequestSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=5000)
    account_ids = WorkspaceObjectsField(queryset=active_accounts, noun="active connected account", max_length=MAX_TARGETS, min_length=1)


class _AccountField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=2**63 - 1, **kwargs)


class HashtagsRequestSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=5000)
    account_id = WorkspaceObjectsField(queryset=active_accounts, noun="active connected account", min_length=1, max_length=1)

    def to_internal_value(self, data):
        if isinstance(data, dict) and "account_id" in data and not isinstance(data["account_id"], list):
            data = {**data, "account_id": [data["account_id"]]}
        values = super().to_internal_value(data)
        values["account"] = values.pop("account_id")[0]
        return values


class AltTextRequestSerializer(serializers.Serializer):
    media_id = WorkspaceObjectsField(queryset=MediaFile.objects.all(), noun="media file", min_length=1, max_length=1)

    def to_internal_value(self, data):
        if isinstance(data, dict) and "media_id" in data and not isinstance(data["media_id"], list):
            data = {**data, "media_id": [data["media_id"]]}
        values = super().to_internal_value(data)
        values["media"] = values.pop("media_id")[0]
        return values


class ClosestSerializer(serializers.Serializer):
    similarity = serializers.FloatField(help_text="Share of the variant's three-word phrases found in that post (0–1).")
    post_id = serializers.IntegerField()


class VariantSerializer(serializers.Serializer):
    text = serializers.CharField()
    used = serializers.IntegerField(help_text="Length counted the network's way.")
    limit = serializers.IntegerField(allow_null=True)
    closest_recent = ClosestSerializer(allow_null=True)


class GroupResultSerializer(serializers.Serializer):
    platform = serializers.CharField()
    account_ids = serializers.ListField(child=serializers.IntegerField())
    limit = serializers.IntegerField(allow_null=True)
    variants = VariantSerializer(many=True)
    rejected = serializers.IntegerField(help_text="Variants the model wrote that failed a check and were not returned.")
    rejected_reasons = serializers.ListField(child=serializers.CharField())
    notes = serializers.ListField(child=serializers.CharField())


class VariantsAnswerSerializer(serializers.Serializer):
    provider = serializers.CharField()
    model = serializers.CharField()
    recent_posts_compared = serializers.IntegerField()
    results = GroupResultSerializer(many=True)


class HashtagSerializer(serializers.Serializer):
    tag = serializers.CharField()
    sources = serializers.ListField(child=serializers.ChoiceField(choices=["model", "measured"]))
    reason = serializers.CharField()
    lift = serializers.FloatField(allow_null=True)
    posts = serializers.IntegerField(allow_null=True)


class HashtagsAnswerSerializer(serializers.Serializer):
    provider = serializers.CharField()
    model = serializers.CharField()
    account_id = serializers.IntegerField()
    hashtags = HashtagSerializer(many=True)


class AltTextAnswerSerializer(serializers.Serializer):
    provider = serializers.CharField()
    model = serializers.CharField()
    media_id = serializers.IntegerField()
    alt_text = serializers.CharField()


class BrandVoiceSerializer(serializers.ModelSerializer):
    # null until the voice is first saved: a workspace without one reads the unsaved defaults.
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = BrandVoice
        fields = ["description", "audience", "tone", "avoid_words", "avoid_topics", "emoji", "hashtags", "call_to_action", "language", "updated_at"]
        read_only_fields = ["updated_at"]


class UsageRowSerializer(serializers.Serializer):
    day = serializers.DateField()
    feature = serializers.CharField()
    requests = serializers.IntegerField()
    calls = serializers.IntegerField()
    tokens_in = serializers.IntegerField()
    tokens_out = serializers.IntegerField()
    failed = serializers.IntegerField()


class UsageSerializer(serializers.Serializer):
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    daily_quota = serializers.IntegerField(allow_null=True)
    used_today = serializers.IntegerField()
    days = UsageRowSerializer(many=True)
