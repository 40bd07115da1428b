"""PostAnalytics keeps its target's post too: the top posts of a window group by it without joining every
target (at 100,000 targets that join was half the overview's time)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_post(apps, schema_editor):
    PostAnalytics = apps.get_model("analytics", "PostAnalytics")
    PostTarget = apps.get_model("social_media", "PostTarget")
    PostAnalytics.objects.update(post_id=Subquery(PostTarget.objects.filter(pk=OuterRef("target_id")).values("post_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0002_typed_metrics_account_snapshots'),
        ('social_media', '0007_webapp_admin_labels'),
    ]

    operations = [
        migrations.AddField(
            model_name='postanalytics',
            name='post',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='social_media.post'),
        ),
        migrations.RunPython(copy_post, migrations.RunPython.noop),
    ]
