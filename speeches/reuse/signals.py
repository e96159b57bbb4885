"""Queue a speech for the shared-passage finder whenever it is saved or deleted, in the
same transaction as the change (a row insert: comparing the old text would read it
back). `manage.py find_shared_passages --pending` applies the queue; a speech queued
twice is compared once. Connected in SpeechesConfig.ready()."""

from django.db.models.signals import post_delete, post_save

from speeches.models import PendingPassageUpdate, Speech


def _changed(sender, instance, **kwargs):
    PendingPassageUpdate.objects.create(speech_id=instance.pk)


def connect():
    uid = "speeches.reuse"
    post_save.connect(_changed, sender=Speech, dispatch_uid=f"{uid}.speech_saved")
    post_delete.connect(_changed, sender=Speech, dispatch_uid=f"{uid}.speech_deleted")
