"""The posts API's `first_comment`: input on create/update, output on the post and on each target.

Bodies are built in SQL (social_media/api/post_bodies.py); these serializers declare the same
fields for the schema and for tests/api/test_post_representation.py."""

from rest_framework import serializers

from .models import MAX_CONTENT, MAX_DELAY_SECONDS, FirstComment, FirstCommentDelivery


class FirstCommentSerializer(serializers.ModelSerializer):
    """A comment posted under the post on each target network after it is published. Null: none."""

    content = serializers.CharField(max_length=MAX_CONTENT, trim_whitespace=False,
                                    help_text="Checked against each target network's comment rules (Instagram: 2,200 characters, 30 hashtags).")
    delay_seconds = serializers.IntegerField(min_value=0, max_value=MAX_DELAY_SECONDS, default=0,
                                             help_text="Seconds after the post is published on a network (0 to 86,400).")

    class Meta:
        model = FirstComment
        fields = ["content", "delay_seconds"]


class FirstCommentDeliverySerializer(serializers.ModelSerializer):
    """This target's first comment: pending until due, then posted (with its link), failed (with why)
    or unconfirmed (it may be on the network; it is never sent twice)."""

    class Meta:
        model = FirstCommentDelivery
        fields = ["status", "due_at", "posted_at", "url", "platform_comment_id", "attempts", "error_message"]
        read_only_fields = fields
