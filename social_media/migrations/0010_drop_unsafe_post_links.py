"""Links to published posts that are not web addresses are dropped (issue 19, security item 8).

Since social_media/services/links.py only http(s) links are stored; a link stored before it (for example a
hostile Mastodon instance's "javascript:..." url) is cleared here, with the same note on the target."""

from django.db import migrations

NOTE = "Published, but the network's link to the post was not a web address (http/https), so it was not stored."


def drop_unsafe_links(apps, schema_editor):
    PostTarget = apps.get_model("social_media", "PostTarget")
    unsafe = PostTarget.objects.exclude(platform_post_url="").exclude(platform_post_url__iregex=r"^https?://")
    unsafe.update(platform_post_url="", error_message=NOTE)


class Migration(migrations.Migration):
    dependencies = [("social_media", "0009_post_calendar_index")]

    operations = [migrations.RunPython(drop_unsafe_links, migrations.RunPython.noop)]
