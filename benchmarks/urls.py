"""The application's URLs plus the floor view the benchmarks compare against."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from cej.models import Contract
from cej.urls import urlpatterns as app_urlpatterns


@login_required
def floor(request):
    """The least a logged-in page can cost: same middleware, one query, a small template."""
    titles = list(Contract.objects.values_list("title", flat=True)[:5])
    return render(request, "benchmarks/floor.html", {"titles": titles})


urlpatterns = [path("__floor__/", floor, name="bench_floor"), *app_urlpatterns]
