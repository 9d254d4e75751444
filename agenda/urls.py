"""The calendar's URLs: a contract's calendar under /contracts/<slug>/calendar/, a person's
deadlines under /deadlines/, and their feed /calendar/<token>.ics."""

from django.urls import path

from agenda import views

CALENDAR = "contracts/<slug:slug>/calendar/"

urlpatterns = [
    path(CALENDAR, views.contract_calendar_view, name="contract_calendar"),
    path(f"{CALENDAR}plenaries/new/", views.plenary_create, name="plenary_create"),
    path(f"{CALENDAR}plenaries/<int:pk>/edit/", views.plenary_edit, name="plenary_edit"),
    path(f"{CALENDAR}plenaries/<int:pk>/delete/", views.plenary_delete, name="plenary_delete"),
    path(f"{CALENDAR}deadlines/new/", views.deadline_create, name="deadline_create"),
    path(f"{CALENDAR}deadlines/<int:pk>/edit/", views.deadline_edit, name="deadline_edit"),
    path(f"{CALENDAR}deadlines/<int:pk>/close/", views.deadline_close, name="deadline_close"),
    path(f"{CALENDAR}deadlines/<int:pk>/delete/", views.deadline_delete, name="deadline_delete"),
    path("deadlines/", views.person_deadlines_view, name="person_deadlines"),
    path("deadlines/feed/new/", views.feed_token_create, name="feed_token_create"),
    path("deadlines/feed/revoke/", views.feed_token_revoke, name="feed_token_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
