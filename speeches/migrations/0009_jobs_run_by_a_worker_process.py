"""Background jobs: a table the job worker (manage.py run_jobs) drains, with one row per
finished item so a killed job resumes."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def curators_and_viewers_see_jobs(apps, schema_editor):
    """Both roles follow the jobs (a curator's upload lands on its job's page); nobody
    edits one: the worker writes them."""
    app_config = apps.get_app_config("speeches")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view_job = Permission.objects.filter(content_type__app_label="speeches", codename="view_job")
    for group in Group.objects.filter(name__in=["curator", "viewer"]):
        group.permissions.add(*view_job)


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ('speeches', '0008_source_raw_bytes_in_their_own_table'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Job',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('import', '导入文件'), ('reextract', '重新抽取'), ('reindex', '更新索引'), ('publish', '发布讲话'), ('withdraw', '撤回讲话'), ('repair_index', '修复索引差异')], max_length=20, verbose_name='类型')),
                ('arguments', models.JSONField(default=dict, verbose_name='参数')),
                ('status', models.CharField(choices=[('queued', '排队中'), ('running', '进行中'), ('done', '已完成'), ('failed', '失败')], default='queued', max_length=12, verbose_name='状态')),
                ('total', models.PositiveIntegerField(default=0, verbose_name='总项数')),
                ('done', models.PositiveIntegerField(default=0, verbose_name='已完成项数')),
                ('error', models.TextField(blank=True, verbose_name='错误')),
                ('worker', models.CharField(blank=True, max_length=100, verbose_name='执行进程')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='开始时间')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='结束时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('started_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发起人')),
            ],
            options={
                'verbose_name': '后台任务',
                'verbose_name_plural': '后台任务',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='JobItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveIntegerField(verbose_name='序号')),
                ('label', models.CharField(max_length=1000, verbose_name='内容')),
                ('ok', models.BooleanField(default=True, verbose_name='成功')),
                ('report', models.JSONField(default=dict, verbose_name='报告')),
                ('finished_at', models.DateTimeField(auto_now_add=True, verbose_name='完成时间')),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='speeches.job')),
            ],
            options={
                'verbose_name': '后台任务项',
                'verbose_name_plural': '后台任务项',
                'ordering': ['job', 'position'],
            },
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['status', 'id'], name='job_status_idx'),
        ),
        migrations.AddConstraint(
            model_name='jobitem',
            constraint=models.UniqueConstraint(fields=('job', 'position'), name='jobitem_job_position_unique'),
        ),
        migrations.RunPython(curators_and_viewers_see_jobs, migrations.RunPython.noop),
    ]
