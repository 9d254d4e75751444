"""The articles of the contract (`pilotage/pdf/contract.html`), in their order: one list that
numbers them. The contract renders its headings, its table of contents and its references
(« dans les conditions de l'article 11 ») from it, and an avenant names the article it
changes by key — `article("payments").number` — so that « L'article 6 est modifié comme
suit » stays right if an article is ever added.

The clause terms that a real CEJ fixes in its text (the deadlines, the notice) are named here
too, beside the articles that state them: illustrative values, usual
in the CAF's contracts, the same for every contract of the application."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Article:
    number: int
    key: str
    title: str | Promise

    @property
    def anchor(self) -> str:
        """The heading's id in the contract PDF, which its table of contents links to."""
        return f"article-{self.number}"

    @property
    def label(self) -> str:
        """« Article 6 — Modalités de versement », as the table of contents lists it."""
        return _("Article %(number)s — %(title)s") % {"number": self.number, "title": self.title}


_TITLES = [
    ("object", _("Objet")),
    ("duration", _("Durée")),
    ("commitments", _("Engagements des partenaires")),
    ("financing", _("Dispositions financières")),
    ("annex_convention", _("Convention annexe")),
    ("payments", _("Modalités de versement")),
    ("supporting_documents", _("Pièces justificatives")),
    ("checks", _("Contrôle et reversement des sommes indûment perçues")),
    ("visibility", _("Communication et visibilité des financeurs")),
    ("evaluation", _("Suivi, bilan et évaluation")),
    ("amendments", _("Avenants")),
    ("termination", _("Résiliation")),
    ("disputes", _("Règlement des litiges")),
    ("entry_into_force", _("Entrée en vigueur")),
]
ARTICLES: tuple[Article, ...] = tuple(
    Article(number, key, title) for number, (key, title) in enumerate(_TITLES, start=1)
)
_BY_KEY = {article.key: article for article in ARTICLES}


def article(key: str) -> Article:
    """The article `key` (KeyError for a key the contract does not have)."""
    return _BY_KEY[key]


class Articles:
    """The articles as the contract template reads them: `{% for a in articles %}` in order,
    `{{ articles.payments.number }}` by key. An unknown key is a missing template variable
    (a test fails on it), never an empty number."""

    def __iter__(self):
        return iter(ARTICLES)

    def __len__(self):
        return len(ARTICLES)

    def __getitem__(self, key: str) -> Article:
        return _BY_KEY[key]


# Clause terms (illustrative, see the module's docstring), as the contract prints them. The
# funders' rates, ceilings and payment schedules are the contract's own parameters
# (`financing.FundingTerms`, `financing.PaymentSchedule`, `pilotage.contract_financing`);
# `actuals_deadline` only stands in for a contract whose funders have no schedule yet.
TERMS = {
    # the year's forecast budget and action plan, that year
    "forecast_deadline": _("31 mars"),
    # the year's actual figures and activity, the next year
    "actuals_deadline": _("30 juin"),
    # supporting documents kept for the checks, in years after the balance
    "records_kept_years": 5,
    # termination: months of notice
    "notice_months": 3,
    # disputes: months given to an amicable settlement before going to court
    "amicable_months": 2,
}

# The administrative court of a département (its code), when the application knows it; other
# contracts name « le tribunal administratif territorialement compétent ».
ADMINISTRATIVE_COURTS = {
    "01": "Lyon",
    "07": "Lyon",
    "42": "Lyon",
    "69": "Lyon",
}


def administrative_court(territory_code: str) -> str:
    city = ADMINISTRATIVE_COURTS.get(territory_code)
    if city is None:
        return str(_("le tribunal administratif territorialement compétent"))
    return str(_("le tribunal administratif de %(city)s")) % {"city": city}
