"""The articles of the contract, numbered once: the contract's text renders its headings from
this list, and an avenant's act names the article it modifies by its key."""

from django.utils.translation import gettext_lazy as _

ARTICLES = [
    ("object", _("Objet")),
    ("duration", _("Durée")),
    ("commitments", _("Engagements des partenaires")),
    ("financing", _("Dispositions financières")),
    ("annex_convention", _("Convention annexe")),
    ("evaluation", _("Évaluation et rôle de la CDAJE")),
    ("amendments", _("Avenants")),
    ("signature", _("Signature")),
]


def article_number(key: str) -> int:
    return next(number for number, (k, _title) in enumerate(ARTICLES, start=1) if k == key)
