"""Snapshots get typed metric columns (their JSON is copied into them: the figures to their columns,
`raw` to `extra`); PostAnalytics gets quotes, saves, views, engagement_total and the target's workspace,
account, network and posting time (copied here for existing rows); AccountSnapshot and
CollectionFailure are new. On PostgreSQL, an index on each workspace's posts by
Coalesce(posted_at, scheduled_time, created_at), the moment the overview windows posts on."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import BigIntegerField, F, OuterRef, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

FIGURES = ("likes", "reposts", "replies", "quotes", "impressions", "clicks", "saves", "views")
ENGAGEMENT = ("likes", "reposts", "replies", "quotes", "clicks", "saves")


def copy_figures(apps, schema_editor):
    Snapshot = apps.get_model("analytics", "AnalyticsSnapshot")
    PostAnalytics = apps.get_model("analytics", "PostAnalytics")
    PostTarget = apps.get_model("social_media", "PostTarget")
    Snapshot.objects.update(
        **{name: Coalesce(Cast(KT(f"snapshot_data__{name}"), BigIntegerField()), Value(0)) for name in FIGURES},
        extra=Coalesce(F("snapshot_data__raw"), Value({}, output_field=models.JSONField())),
    )
    target = PostTarget.objects.filter(pk=OuterRef("target_id"))
    PostAnalytics.objects.update(
        workspace_id=Subquery(target.values("post__workspace_id")[:1]),
        account_id=Subquery(target.values("account_id")[:1]),
        platform=Subquery(target.values("account__platform")[:1]),
        posted_at=Subquery(target.annotate(at=Coalesce("posted_at", "post__posted_at")).values("at")[:1]),
        engagement_total=sum((F(name) for name in ENGAGEMENT[1:]), F(ENGAGEMENT[0])),
    )


def copy_figures_back(apps, schema_editor):
    Snapshot = apps.get_model("analytics", "AnalyticsSnapshot")
    for row in Snapshot.objects.iterator():
        row.snapshot_data = {**{name: getattr(row, name) for name in FIGURES}, "raw": row.extra}
        row.save(update_fields=["snapshot_data"])


POST_MOMENT_INDEX = (
    "CREATE INDEX IF NOT EXISTS analytics_post_ws_moment ON social_media_post "
    "(workspace_id, (COALESCE(posted_at, scheduled_time, created_at)))"
)


def add_post_moment_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POST_MOMENT_INDEX)


def drop_post_moment_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS analytics_post_ws_moment")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_account_hardening_invitation'),
        ('analytics', '0001_initial'),
        ('social_media', '0007_webapp_admin_labels'),
    ]

    operations = [
        migrations.CreateModel(
            name='AccountSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('followers', models.PositiveBigIntegerField(null=True)),
                ('following', models.PositiveBigIntegerField(null=True)),
                ('posts', models.PositiveBigIntegerField(null=True)),
                ('extra', models.JSONField(blank=True, default=dict)),
                ('captured_at', models.DateTimeField()),
            ],
            options={
                'ordering': ['account_id', 'day'],
            },
        ),
        migrations.CreateModel(
            name='CollectionFailure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('post', 'Post metrics'), ('account', 'Account metrics')], max_length=10)),
                ('error_class', models.CharField(max_length=100)),
                ('http_status', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('message', models.TextField(blank=True)),
                ('failures', models.PositiveIntegerField(default=1)),
                ('failed_at', models.DateTimeField()),
            ],
            options={
                'ordering': ['-failed_at'],
            },
        ),
        migrations.AddField(
            model_name='analyticssnapshot',
            name='clicks',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='analyticssnapshot',
            name='extra',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='analyticssnapshot',
            name='impressions',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='analyticssnapshot',
            name='likes',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='analyticssnapshot',
            name='quotes',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='analyticssnapshot',
            name='replies',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='analyticssnapshot',
            name='reposts',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='analyticssnapshot',
            name='saves',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='analyticssnapshot',
            name='views',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='postanalytics',
            name='account',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='social_media.connectedaccount'),
        ),
        migrations.AddField(
            model_name='postanalytics',
            name='engagement_total',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='postanalytics',
            name='platform',
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name='postanalytics',
            name='posted_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name='postanalytics',
            name='quotes',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='postanalytics',
            name='saves',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='postanalytics',
            name='views',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='postanalytics',
            name='workspace',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.workspace'),
        ),
        migrations.AddIndex(
            model_name='postanalytics',
            index=models.Index(fields=['workspace', 'posted_at'], name='analytics_pa_ws_posted'),
        ),
        migrations.AddIndex(
            model_name='postanalytics',
            index=models.Index(fields=['account', 'posted_at'], name='analytics_pa_account_posted'),
        ),
        migrations.AddField(
            model_name='accountsnapshot',
            name='account',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='snapshots', to='social_media.connectedaccount'),
        ),
        migrations.AddField(
            model_name='collectionfailure',
            name='account',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='social_media.connectedaccount'),
        ),
        migrations.AddField(
            model_name='collectionfailure',
            name='target',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='social_media.posttarget'),
        ),
        migrations.AddConstraint(
            model_name='accountsnapshot',
            constraint=models.UniqueConstraint(fields=('account', 'day'), name='unique_account_snapshot_per_day'),
        ),
        migrations.AddConstraint(
            model_name='collectionfailure',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'account')), fields=('account',), name='unique_account_collection_failure'),
        ),
        migrations.RunPython(copy_figures, copy_figures_back),
        migrations.RemoveField(
            model_name='analyticssnapshot',
            name='snapshot_data',
        ),
        migrations.RunPython(add_post_moment_index, drop_post_moment_index),
    ]
