from django.apps import AppConfig


class SpeechesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "speeches"
    verbose_name = "讲话档案"

    def ready(self):
        # Keep the search index in step with every change, from admin, import or code.
        from speeches.search import signals

        signals.connect()
