"""Budget lines and their financing plan, payments; the execution a partner pushes."""

urlpatterns = []
