"""What the avenant's act and the consolidated contract say (templates
`pilotage/pdf/amendment.html`, `pilotage/pdf/consolidated.html`).

The act states each change as a jurist writes it — « L'article N du contrat est modifié comme
suit … » —, with the new and revised fiches and the budget in annex. Before its signature
the changes are read from the contract as it stands and the proposals; once signed, from
what the avenant kept when it was applied (`Amendment.applied_budget`, the changes'
`before`), so the act reads the same whenever it is rendered.

The consolidated contract is the contract as it stands, amended by its signed avenants, each
changed fiche, year and convention footnoted with the avenant that changed it."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from cej.dates import format_date_long
from cej.models import Amendment, AmendmentStatus, Contract
from cej.money import format_eur
from cej.selectors import signing_parties
from fiches.models import Aim, Fiche, Objective
from financing.models import BudgetLineVersion
from partners.models import Partner
from pilotage.amendment_selectors import amendment_page
from pilotage.contract_articles import article as contract_article
from pilotage.models import AmendmentFicheChange, ChangeKind
from pilotage.selectors import contract_document

ZERO = Decimal("0.00")


@dataclass
class PrintedFiche:
    """A fiche as the act's annex prints it (`fiches/pdf/_fiche.html`)."""

    fiche: Fiche
    objective: Objective
    partners: list
    aims: list
    kind: str  # ChangeKind


@dataclass
class YearRow:
    year: int
    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before


def _act_date(amendment: Amendment):
    return amendment.signed_on or timezone.localdate()


def _printed_fiche(proposed: dict, number: int, kind: str, objectives, partners, aims):
    fiche = Fiche(number=number, **{k: proposed.get(k, "") for k in _TEXT_FIELDS})
    fiche.lead_partner = partners.get(proposed.get("lead_partner_id"))
    return PrintedFiche(
        fiche=fiche,
        objective=objectives.get(proposed.get("objective_id")),
        partners=[partners[p] for p in proposed.get("associated_partner_ids", []) if p in partners],
        aims=[aims[a] for a in proposed.get("aim_ids", []) if a in aims],
        kind=kind,
    )


_TEXT_FIELDS = [
    "title",
    "findings",
    "goals",
    "actions",
    "target_public",
    "calendar",
    "indicators",
    "budget_note",
]


def amendment_act_context(amendment: Amendment, *, generated_by=None) -> dict:
    contract = amendment.contract
    act_date = _act_date(amendment)
    signed = amendment.status == AmendmentStatus.SIGNED
    page = amendment_page(amendment)
    objectives = {o.pk: o for o in contract.objectives.all()}
    partners = {p.pk: p for p in Partner.objects.prefetch_related("former_names")}
    for partner in partners.values():
        partner.printed_name = partner.name_on(act_date)
    aims = {a.pk: a for a in Aim.objects.all()}

    revised, added, withdrawn = [], [], []
    for view in page.fiche_changes:
        change = view.change
        if change.kind == ChangeKind.WITHDRAW:
            withdrawn.append((change.number, view.title))
            continue
        printed = _printed_fiche(
            change.proposed, change.number, change.kind, objectives, partners, aims
        )
        (added if change.kind == ChangeKind.ADD else revised).append(printed)

    # The page reads a signed avenant's budget from what it kept when it was applied.
    years = [YearRow(y.year, y.before, y.after) for y in page.years]
    annex = amendment.annex_convention
    annex_before = amendment.previous_end_year if signed else (annex.end_year if annex else None)

    articles = []

    def article(key_title, paragraphs, **extra):
        # Every key the template reads, present: a dict without "items" would give the
        # template dict.items(), and the act would print the article's own keys.
        articles.append(
            {
                "number": len(articles) + 1,
                "title": key_title,
                "paragraphs": paragraphs,
                "items": [],
                "years": [],
                "indicators": [],
                **extra,
            }
        )

    article(
        _("Objet"),
        [
            _("Le présent avenant modifie le contrat « %(contract)s », signé le %(date)s.")
            % {
                "contract": contract.title,
                "date": format_date_long(contract.signed_on) if contract.signed_on else "—",
            },
            _("Il a pour objet : %(title)s.") % {"title": amendment.title},
        ],
    )
    if annex is not None and amendment.new_end_year:
        article(
            _("Durée de la convention annexe"),
            [
                _("L'article %(article)s du contrat est modifié comme suit :")
                % {"article": contract_article("annex_convention").number},
                _(
                    "« La convention annexe « %(annex)s » couvre les années %(start)s à %(end)s "
                    "(elle couvrait jusqu'ici %(period)s). »"
                )
                % {
                    "annex": annex.title,
                    "start": annex.start_year,
                    "end": amendment.new_end_year,
                    "period": (
                        f"{annex.start_year}–{annex_before}"
                        if annex_before and annex_before != annex.start_year
                        else str(annex.start_year)
                    ),
                },
            ],
        )
    if revised or added or withdrawn:
        paragraphs = [_("L'annexe 1 du contrat (fiches actions) est modifiée comme suit :")]
        items = [
            _(
                "la fiche n° %(number)s « %(title)s » est remplacée par la fiche figurant en "
                "annexe 1 du présent avenant ;"
            )
            % {"number": p.fiche.number, "title": p.fiche.title}
            for p in revised
        ]
        items += [
            _("la fiche n° %(number)s « %(title)s » est ajoutée (annexe 1 du présent avenant) ;")
            % {"number": p.fiche.number, "title": p.fiche.title}
            for p in added
        ]
        items += [
            _("la fiche n° %(number)s « %(title)s » est retirée du contrat ;")
            % {"number": number, "title": title}
            for number, title in withdrawn
        ]
        article(_("Fiches actions"), paragraphs, list_items=items)
    if page.indicator_changes:
        article(
            _("Indicateurs d'évaluation"),
            [
                _(
                    "Les cibles des indicateurs d'évaluation suivants, fixées par l'annexe 1 du "
                    "contrat (fiches actions), sont modifiées comme suit :"
                )
            ],
            indicators=page.indicator_changes,
        )
    if page.line_changes:
        article(
            _("Dispositions financières"),
            [
                _(
                    "L'article %(article)s du contrat est modifié comme suit : le montant alloué "
                    "chaque année par le contrat et sa convention annexe, dans la limite de "
                    "l'enveloppe annuelle de %(envelope)s, s'établit ainsi :"
                )
                % {
                    "article": contract_article("financing").number,
                    "envelope": format_eur(contract.annual_envelope),
                },
                _(
                    "Les lignes budgétaires figurant en annexe 2 du présent avenant remplacent ou "
                    "complètent celles de l'annexe 2 du contrat. La prestation de service enfance "
                    "jeunesse de chaque financeur et la part propre du bénéficiaire en découlent, "
                    "calculées sur le reste à charge de chaque ligne selon les conditions de "
                    "financement des articles %(financing)s et %(annex)s du contrat, que le "
                    "présent avenant ne modifie pas."
                )
                % {
                    "financing": contract_article("financing").number,
                    "annex": contract_article("annex_convention").number,
                },
            ],
            years=years,
        )
    if page.representative_changes:
        article(
            _("Représentants des parties"),
            [
                _(
                    "À compter de la signature du présent avenant, %(new)s représente %(partner)s "
                    "en qualité de %(function)s, en remplacement de %(old)s."
                )
                % {
                    "new": change.arriving_name,
                    "partner": partners[change.leaving.partner_id].printed_name,
                    "function": change.leaving.function,
                    "old": change.leaving.full_name,
                }
                for change in page.representative_changes
            ],
        )
    article(
        _("Autres dispositions"),
        [
            _(
                "Toutes les autres dispositions du contrat et de sa convention annexe "
                "demeurent inchangées."
            ),
            _(
                "Le présent avenant a reçu l'avis de la CDAJE en séance plénière du %(date)s. Il "
                "prend effet à la date de sa signature par l'ensemble des représentants des "
                "parties."
            )
            % {
                "date": format_date_long(amendment.opinion_on)
                if amendment.opinion_on
                else _("(à venir)")
            },
        ],
    )
    # The parties as the contract's acts print them (pilotage/pdf/_parties.html): named on
    # the avenant's date, with their deliberation on it; signing it, the representatives the
    # avenant page lists (who signed it, once signed), with their signature of it.
    parties = signing_parties(contract, on=act_date, decisions=True, amendment=amendment)
    signers = {partner.pk: signatories for partner, _d, signatories in page.party_rows}
    for party in parties:
        party.signatories = signers.get(party.partner.pk, [])
    return {
        "contract": contract,
        "amendment": amendment,
        "act_date": act_date,
        "named_on": act_date,  # the partners' names in its fiches (`partner_name`)
        "is_draft": not signed,
        "parties": parties,
        "articles": articles,
        "annex_fiches": [*revised, *added],
        "line_changes": page.line_changes,
        "generated_at": timezone.localtime(),
        "generated_by": generated_by,
    }


def consolidated_context(contract: Contract, *, generated_by=None) -> dict:
    """The contract document as it stands, with what each signed avenant changed: a footnote
    on each fiche it revised or added (`fiche.amendment_notes`) and on the annex convention
    it extended (`annex.amendment_note`), a note per budget year it changed (`year_notes`,
    (year, [note, …]) in year order); article 7 lists the signed avenants only."""
    context = contract_document(contract, generated_by=generated_by)
    signed = list(contract.amendments.filter(status=AmendmentStatus.SIGNED).order_by("number"))
    by_pk = {a.pk: a for a in signed}

    def note(text, amendment) -> str:
        return text % {"number": amendment.number, "date": format_date_long(amendment.signed_on)}

    modified = _("Modifié par l'avenant n° %(number)s signé le %(date)s.")
    fiche_notes = defaultdict(list)
    for number, kind, amendment_id in (
        AmendmentFicheChange.objects.filter(amendment__in=signed)
        .exclude(kind=ChangeKind.WITHDRAW)
        .order_by("amendment__number")
        .values_list("number", "kind", "amendment_id")
    ):
        text = _("Ajoutée par l'avenant n° %(number)s signé le %(date)s.")
        fiche_notes[number].append(
            note(text if kind == ChangeKind.ADD else modified, by_pk[amendment_id])
        )
    for objective in context["objectives"]:
        for fiche in objective.fiches.all():
            fiche.amendment_notes = fiche_notes.get(fiche.number, [])
    year_notes = defaultdict(list)
    for snapshot, amendment_id in (
        BudgetLineVersion.objects.filter(contract=contract, amendment__in=signed)
        .order_by("amendment__number")
        .values_list("snapshot", "amendment_id")
    ):
        label = note(modified, by_pk[amendment_id])
        if label not in year_notes[snapshot.get("year")]:
            year_notes[snapshot.get("year")].append(label)
    for annex in context["annex_conventions"]:
        annex.amendment_note = " ".join(
            note(modified, a) for a in signed if a.annex_convention_id == annex.pk
        )
    context.update(
        consolidated=True,
        is_draft=False,
        unsealed_copy=False,
        amendments=signed,
        year_notes=sorted((year, notes) for year, notes in year_notes.items() if year),
    )
    return context
