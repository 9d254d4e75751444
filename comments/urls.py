from django.urls import path

from comments import views

urlpatterns = [
    path("new/", views.comment_create, name="comment_create"),
    path("<int:pk>/reply/", views.comment_reply, name="comment_reply"),
    path("<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("<int:pk>/resolve/", views.comment_resolve, name="comment_resolve"),
    path("<int:pk>/reopen/", views.comment_reopen, name="comment_reopen"),
    path("<int:pk>/history/", views.comment_history, name="comment_history"),
]
