# The calendar's window: a post's time on the calendar (its publish time once posted, else its scheduled
# time), per workspace, drafts aside (webapp/calendar_feed.py). Built CONCURRENTLY: a large posts table
# keeps taking writes while the index is made.

import django.db.models.functions.comparison
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('social_media', '0008_oauthstate_from_webapp'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='post',
            index=models.Index(models.F('workspace'), django.db.models.functions.comparison.Coalesce('posted_at', 'scheduled_time'), condition=models.Q(('status', 'draft'), _negated=True), name='post_calendar_idx'),
        ),
    ]
