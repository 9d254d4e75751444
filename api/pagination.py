from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """`?page=N` (from 1), `?page_size=` up to 200; `{"count", "next", "previous",
    "results"}`. A page that does not exist is a 404 « Page non valide. »."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
