"""Admin pages for every record, and the curators' workbench, one module per area: speeches
(filters, actions, merge, split, history), sources and the import page, the review queue,
jobs, the search's health and dictionary, shared passages, the other records and the change
log. The work itself is done by speeches.curation; these classes wire it to the admin."""

from django.contrib import admin

from speeches.admin import history, jobs, passages, records, review, search, sources, speech  # noqa: F401 - registers

# The archive's name on every admin page, in the header and the browser's title.
admin.site.site_header = admin.site.site_title = "领导讲话档案"
admin.site.index_title = "管理后台"
# The app list beside every page took 300 of a 1280 px window's pixels from the tables
# curators read (the review queue's columns wrapped to one or two characters); the home
# page and the breadcrumbs lead to every list.
admin.site.enable_nav_sidebar = False
