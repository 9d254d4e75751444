"""Project configuration: settings, root URLs, WSGI. No domain code lives here."""
