"""The two admin roles: curators change the archive, viewers only look at it.

Permissions are normally created after migrations run (post_migrate); they are created
here first so the groups can be given them on a fresh database too."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Records curators add, correct and delete.
CURATED = [
    "source", "speech", "section", "citation", "speechtopic", "official", "topic",
    "reviewitem", "regionmention", "dictionaryterm",
]
# Curators correct the gazetteer's names but never delete a division speeches may use.
CORRECTED = ["region"]
# Kept by the archive itself: curators and viewers read them.
READ_ONLY = [
    "pendingindexupdate", "searchquerylog",
    "historicalspeech", "historicalspeechtopic", "historicalcitation",
]
CURATOR, VIEWER = "curator", "viewer"


def _codenames_for_curators():
    names = [f"{action}_{model}" for model in CURATED for action in ("add", "change", "delete", "view")]
    names += [f"{action}_{model}" for model in CORRECTED for action in ("add", "change", "view")]
    names += [f"view_{model}" for model in READ_ONLY]
    return names


def _codenames_for_viewers():
    return [f"view_{model}" for model in CURATED + CORRECTED + READ_ONLY]


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ((CURATOR, _codenames_for_curators()), (VIEWER, _codenames_for_viewers())):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="speeches", codename__in=codenames)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[CURATOR, VIEWER]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("speeches", "0005_history_search_log_dictionary_terms"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
