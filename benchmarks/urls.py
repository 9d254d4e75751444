"""The application's URLs plus the floor view the benchmarks compare against."""

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.shortcuts import render
from django.urls import path
from django.views.static import serve

from cej.models import Contract
from config.urls import urlpatterns as app_urlpatterns


@login_required
def floor(request):
    """The least a logged-in page can cost: same middleware, one query, a small template."""
    titles = list(Contract.objects.values_list("title", flat=True)[:5])
    return render(request, "benchmarks/floor.html", {"titles": titles})


@login_required
def static_file_floor(request, path):
    """Serving a stored file as a static file: no scope, no hash check, no record. The
    document download is compared against it."""
    return serve(request, path, document_root=default_storage.location)


urlpatterns = [
    path("__floor__/", floor, name="bench_floor"),
    path("__static__/<path:path>", static_file_floor, name="bench_static_file"),
    *app_urlpatterns,
]
