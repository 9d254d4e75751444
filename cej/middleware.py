"""Language selection."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware:
    """French for everyone unless the user picked another language with the selector (the
    language cookie). Unlike Django's LocaleMiddleware it ignores the browser's
    Accept-Language: an agent of the département whose browser happens to be in English
    still works in French, the language of the contract and of its partners."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        # override(), not activate(): the language must not leak into the next request
        # served by this thread.
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary_headers(response, ["Cookie"])
        return response
