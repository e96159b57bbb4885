from django.contrib import admin
from django.urls import include, path

from speeches.login_throttle import throttled_login

urlpatterns = [
    # Before admin/: the admin's own login view, refusing sign-ins after repeated failures.
    path("admin/login/", throttled_login(admin.site.login)),
    path("admin/", admin.site.urls),
    path("", include("speeches.urls")),
]
