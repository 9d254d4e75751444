"""Parties, objectives, fiches and their versions, indicators, reviews, documents."""

urlpatterns = []
