from django.apps import AppConfig


class SpeechesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "speeches"
    verbose_name = "讲话档案"

    def ready(self):
        # The data folder's folders and secret key, on the first start (archive/data_dir.py).
        from django.conf import settings

        from archive import data_dir

        if created := data_dir.prepare(settings):
            settings.SECRET_KEY = created
        # Keep the search index in step with every change, from admin, import or code.
        from speeches.search import signals

        signals.connect()
        # Queue changed speeches for the shared-passage finder (speeches/reuse).
        from speeches.reuse import signals as reuse_signals

        reuse_signals.connect()
        # Keep the browse pages' counts in step with every change, in its transaction.
        from speeches import counts

        counts.connect()
        # Count failed admin sign-ins (speeches/login_throttle.py).
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from speeches import login_throttle

        user_login_failed.connect(login_throttle.record_failure, dispatch_uid="speeches.login_failed")
        user_logged_in.connect(login_throttle.clear_failures, dispatch_uid="speeches.logged_in")
