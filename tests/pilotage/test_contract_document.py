"""The contract as a jurist reads it, through the text of its PDF: the CDAJE's aims word for
word, who proposes and who decides, one numbering of its articles, the clauses a CEJ carries,
one rule for its period and its entry into force, the names in force on its date, and its
annex 1 split between the fiches it funds and those pursued « hors CEJ »."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from cej.dates import format_date_long
from cej.models import Contract, Document, DocumentKind, PartnerDecision
from cej.money import format_eur
from cej.pdf import render_pdf
from demo.loire import DEMO_SLUG
from fiches.models import Aim, Fiche
from financing.models import BudgetLine
from financing.psej import plan
from financing.terms import contract_terms
from partners.models import Partner, PartnerKind
from pilotage.contract_articles import ARTICLES, article
from pilotage.selectors import contract_document, fiche_numbers, year_ranges
from tests.pdftools import pdf_text

pytestmark = pytest.mark.django_db

# The CDAJE's aims as the seed article states them (apostrophes made plain).
SEED_AIMS = [
    "la cohésion des politiques et des actions en faveur de l'accueil des jeunes enfants dans "
    "le département ;",
    "le développement des modes d'accueil et leur adaptation aux besoins et contraintes des "
    "parents, en prenant en compte l'intérêt de l'enfant ;",
    "l'information et l'orientation des familles ;",
    "l'égalité d'accès aux modes d'accueil pour tous les enfants.",
]
KEYS = {
    "object",
    "duration",
    "commitments",
    "financing",
    "annex_convention",
    "payments",
    "supporting_documents",
    "checks",
    "visibility",
    "evaluation",
    "amendments",
    "termination",
    "disputes",
    "entry_into_force",
}


def flat(text: str) -> str:
    """pdftotext's layout text as one line: line breaks, hyphenation (WeasyPrint's soft
    hyphen shows as U+2010) and runs of spaces undone, typographic apostrophes made plain,
    list bullets left out."""
    text = text.replace("\u2019", "'").replace("\u00ad", "").replace("\u2022", "")
    text = re.sub(r"[-\u2010]\n\s*", "", text)
    return re.sub(r"\s+", " ", text)


def stored_text(kind, **filters) -> str:
    document = Document.objects.get(kind=kind, **filters)
    with document.file.open("rb") as handle:
        return flat(pdf_text(handle.read()))


@pytest.fixture
def signed_text(sealed_demo):
    """The signed contract's text, as sealed on signature (1 October 2014)."""
    return stored_text(DocumentKind.SIGNED_CONTRACT)


def body(text: str) -> str:
    """The text after the table of contents (which repeats the headings)."""
    return text[text.index("Entre les soussignés", text.index("Signatures")) :]


def test_the_cdaje_aims_are_printed_word_for_word(signed_text):
    aims = sorted(Aim.objects.all(), key=lambda aim: aim.number)
    assert len(aims) == 4
    for aim in aims:
        statement = aim.description[0].lower() + aim.description[1:]
        assert flat(statement) in signed_text, aim.description
    for statement in SEED_AIMS:
        assert statement in signed_text, statement
    assert (
        "la CDAJE propose, dans le respect des orientations nationales et locales, des mesures "
        "visant notamment à favoriser : la cohésion des politiques" in signed_text
    )


def test_the_orientations_were_presented_in_plenary_not_by_the_cdaje(signed_text):
    assert (
        "ont été présentées en séance plénière de la commission départementale d'accueil des "
        "jeunes enfants (CDAJE)" in signed_text
    )
    assert "a présenté" not in signed_text


def test_the_fiches_received_the_cdajes_opinion_not_a_validation(signed_text):
    fiches = Fiche.objects.filter(contract__slug=DEMO_SLUG)  # not its successor's drafts
    numbers = sorted(fiches.exclude(status="withdrawn").values_list("number", flat=True))
    dates = set(fiches.values_list("validated_on", flat=True))
    text = body(signed_text)
    for date in dates:
        assert (
            f"l'avis favorable de la CDAJE en séance plénière du {format_date_long(date)}" in text
        )
    assert "n° 1 à 3 et 5 à 14 ont reçu l'avis favorable" in text  # fiche 4 revised since
    assert len(numbers) == 15
    assert "validée" not in text and "valide les fiches" not in text


def test_the_contract_names_each_partner_as_on_its_signing_date(signed_text):
    """Signed on 1 October 2014: the Département was still the Conseil général."""
    assert "Conseil général de la Loire" in signed_text
    assert "Département de la Loire" not in signed_text
    assert "ci-après « le Conseil général »" in signed_text
    assert "Le Conseil général, qui porte les actions du contrat, s'engage" in signed_text
    # …as the fiches' lead and associated partners, and the signature blocks.
    assert "Pilote Conseil général de la Loire" in signed_text


def test_each_party_is_authorised_by_its_boards_deliberation(signed_text):
    decisions = PartnerDecision.objects.filter(amendment=None)
    assert decisions.count() == 3
    for decision in decisions:
        clause = (
            f"par délibération n° {decision.reference} du "
            f"{format_date_long(decision.decided_on)} ({decision.body}),"
        )
        assert flat(clause) in signed_text, clause
    assert (
        "M. Bernard Vialle, Président du Conseil général de la Loire, dûment autorisé par "
        "délibération n° CP-2014-09-0412 du 15 septembre 2014 (Commission permanente du Conseil "
        "général)," in signed_text
    )
    # Two representatives, a woman and a man: « autorisés ».
    assert "Directeur de la CAF, dûment autorisés par délibération n° 2014-051" in signed_text
    assert "Chaque partenaire a approuvé le présent contrat par une délibération" in signed_text


def test_a_party_without_deliberation_gets_no_clause(demo):
    PartnerDecision.objects.filter(amendment=None, partner__slug="msa-adl").delete()
    text = flat(
        pdf_text(render_pdf("pilotage/pdf/contract.html", contract_document(demo.contract)))
    )
    assert text.count("par délibération n°") == 2
    assert "CA-2014-33" not in text
    assert "Directrice générale de la MSA, ci-après « la MSA »" in text
    assert "Chaque partenaire a approuvé" not in text


def test_the_articles_follow_the_one_list(signed_text):
    assert {a.key for a in ARTICLES} >= KEYS
    assert [a.number for a in ARTICLES] == list(range(1, len(ARTICLES) + 1))
    toc = signed_text[signed_text.index("Sommaire") : signed_text.index("Annexe 1")]
    text = body(signed_text)
    position = 0
    for each in ARTICLES:
        assert f"Article {each.number} — {each.title}" in toc
        heading = f"ARTICLE {each.number} {each.title}"
        assert heading in text, heading
        assert text.index(heading) > position, heading
        position = text.index(heading)
    amendments = article("amendments").number
    assert (
        "ne peut être prolongé ou modifié que par avenant, dans les conditions de l'article "
        f"{amendments}." in text
    )


def test_the_period_and_the_entry_into_force_make_one_rule(signed_text):
    text = body(signed_text)
    duration, entry = article("duration").number, article("entry_into_force").number
    assert (
        "Le présent contrat est conclu pour une durée de quatre ans, du 1er janvier 2014 au "
        f"31 décembre 2017. Il s'applique aux actions réalisées au cours de cette période, dans "
        f"les conditions de l'article {entry}." in text
    )
    assert (
        "Le présent contrat entre en vigueur à la date de sa signature par le dernier des 5 "
        "représentants des partenaires. Il prend effet au 1er janvier 2014, pour la période "
        f"fixée à l'article {duration}." in text
    )
    assert "prend effet lorsque" not in text
    assert "Il n'est pas renouvelable par tacite reconduction." in text


def test_the_contract_carries_the_clauses_of_a_cej(signed_text):
    text = body(signed_text)
    checks = article("checks").number
    for clause in [
        # Who does what: the Conseil général carries the actions, the caisses co-finance.
        "La CAF s'engage à verser au Conseil général la prestation de service enfance jeunesse",
        "La MSA s'engage à verser au Conseil général la prestation de service enfance jeunesse",
        # Payments: advances during the year, the balance the next year on actual figures,
        # as the funders' schedules fix them.
        "un acompte de 70 % de la prestation prévisionnelle de l'année, au plus tard le 30 juin "
        "de l'année",
        "le solde, au plus tard le 30 septembre de l'année suivante, calculé sur les dépenses et "
        "les recettes réelles de l'année",
        # Supporting documents and their deadlines.
        "au plus tard le 31 mars de chaque année, le budget prévisionnel",
        "au plus tard le 30 avril de l'année suivante, pour chaque action financée",
        # Checks and recovery.
        "sur pièces et sur place",
        "l'excédent est recouvré par ordre de reversement ou déduit des versements suivants",
        "est reversée à la caisse qui l'a versée, sur ordre de reversement",
        f"les acomptes versés peuvent être récupérés dans les conditions de l'article {checks}",
        # Visibility of the funders.
        "fait mention du soutien financier de la CAF et de la MSA",
        "y fait figurer leurs logos",
        # Termination: notice, registered letter, breach or common agreement.
        "par lettre recommandée avec demande d'avis de réception, à l'expiration d'un préavis de "
        "trois mois",
        "d'un commun accord",
        # Disputes: amicable settlement first, then the administrative court.
        "rechercher une solution amiable",
        "devant le tribunal administratif de Lyon",
        # Avenants: approved and signed like the contract.
        "L'avenant est soumis à l'avis de la CDAJE en séance plénière, approuvé par une "
        "délibération de l'instance compétente de chaque partenaire et signé par l'ensemble de "
        "leurs représentants, dans les mêmes formes que le présent contrat.",
    ]:
        assert clause in text, clause


def plain_eur(amount) -> str:
    return format_eur(amount).replace("\u202f", " ").replace("\xa0", " ")


def test_the_contract_says_who_pays_whom(signed_text):
    """The Conseil général (the beneficiary, so named on 1 October 2014) carries the actions;
    the CAF and the MSA pay it the PSEJ at their rates within their ceilings, per the
    schedule; per year the plan — 198 000,00 € allocated each year, the PSEJ of each funder
    as `financing.psej` computes it, the Conseil général's own share."""
    text = body(signed_text)
    assert (
        "Le Conseil général, bénéficiaire du contrat, porte les actions financées et en supporte "
        "les dépenses. Pour chaque action et chaque année, le reste à charge est égal aux "
        "dépenses prévues, déduction faite des recettes autres que la prestation de service "
        "enfance jeunesse"
    ) in text
    assert (
        "verse au Conseil général la prestation de service enfance jeunesse (PSEJ) à son taux de "
        "cofinancement"
    ) in text
    for funder, share in (("CAF", "90"), ("MSA", "10")):
        assert (  # the CEJ's terms
            f"la {funder} retient {share} % du reste à charge de chaque action, lui-même "
            "plafonné à 100 000,00 € par action et par an, et y applique un taux de 55 % pour "
            "une action nouvelle et de 60 % pour une action antérieure, reconduite du contrat "
            "précédent"
        ) in text, funder
        assert (  # the annex convention's own
            f"la {funder} retient {share} % du reste à charge de chaque action, lui-même "
            "plafonné à 40 000,00 € par action et par an, et y applique un taux de 50 % pour "
            "toute action"
        ) in text, funder
    assert (
        "La part du reste à charge que la prestation ne couvre pas reste à la charge du Conseil "
        "général."
    ) in text
    assert (
        "Pour chaque année du contrat, la CAF et la MSA versent au Conseil général la prestation "
        "de service enfance jeunesse au titre du contrat et de sa convention annexe : un acompte "
        "de 70 % de la prestation prévisionnelle de l'année, au plus tard le 30 juin de l'année"
    ) in text
    assert (
        "transmises au plus tard le 30 avril de l'année suivante. Lorsque les acomptes versés "
        "pour une année excèdent son montant définitif, l'excédent est recouvré par ordre de "
        "reversement"
    ) in text

    # Annex 2: the plan per year, read back from the stored forecast shares, which are what
    # `financing.psej` computes from each line and the terms.
    terms = contract_terms(Contract.objects.get(slug=DEMO_SLUG).pk)
    caf, msa = (Partner.objects.get(kind=kind) for kind in (PartnerKind.CAF, PartnerKind.MSA))
    plan_text = text[text.index("Plan de financement prévisionnel par année") :]
    psej = {caf.pk: [], msa.pk: []}
    for year in range(2014, 2018):
        lines = BudgetLine.objects.filter(contract__slug=DEMO_SLUG, year=year)
        assert lines.total() == Decimal("198000.00")
        for partner_id, amounts in psej.items():
            computed = sum(
                (
                    plan(
                        expenses=line.amount,
                        receipts=line.other_receipts,
                        continued=line.continued,
                        terms=terms.for_line(line),
                    ).psej[partner_id]
                    for line in lines
                ),
                Decimal("0.00"),
            )
            stored = lines.filter(contributions__partner_id=partner_id).aggregate(
                total=Sum("contributions__amount")
            )["total"]
            assert computed == stored, (year, partner_id)
            amounts.append(computed)
    assert "Dépenses prévues " + "198 000,00 € " * 4 + "792 000,00 €" in plan_text
    for funder, partner in (("CAF", caf), ("MSA", msa)):
        row = " ".join(plain_eur(amount) for amount in [*psej[partner.pk], sum(psej[partner.pk])])
        assert f"PSEJ {funder} {row}" in plan_text, row
    own = [
        BudgetLine.objects.filter(contract__slug=DEMO_SLUG, year=year)
        .filter(contributions__partner_id=terms.beneficiary_id)
        .aggregate(total=Sum("contributions__amount"))["total"]
        for year in range(2014, 2018)
    ]
    row = " ".join(plain_eur(amount) for amount in [*own, sum(own)])
    assert f"Part propre du Conseil {row} général" in plan_text, row  # its label wraps


def test_annex_1_separates_the_funded_fiches_from_those_hors_cej(signed_text):
    text = body(signed_text)
    funded_part = text[text.index("PARTIE 1.1") : text.index("PARTIE 1.2")]
    own_part = text[text.index("PARTIE 1.2") : text.index("Annexe 2 — Budget")]
    lines = BudgetLine.objects.filter(contract__slug=DEMO_SLUG)  # not its successor's
    funded = set(lines.exclude(fiche=None).values_list("fiche__number", flat=True))
    assert funded == {4, 12, 14, 15}
    for fiche in Fiche.objects.filter(contract__slug=DEMO_SLUG).exclude(status="withdrawn"):
        heading = f"Fiche n° {fiche.number} — "
        assert heading in (funded_part if fiche.number in funded else own_part), fiche.number
        assert heading not in (own_part if fiche.number in funded else funded_part), fiche.number
    # The table of what funds them (its cells' lines interleave in the layout text).
    assert "Contrat enfance jeunesse, poste" in funded_part
    assert "« Coordination »" in funded_part and "(2015–2017)" in funded_part
    assert "ne font l'objet d'aucune ligne budgétaire" in own_part
    assert "sur leurs crédits propres, hors CEJ" in own_part


def test_a_draft_speaks_as_of_today_an_undated_old_contract_as_of_its_start(
    demo, contract_in_preparation
):
    draft = contract_document(contract_in_preparation)
    assert draft["is_draft"] and draft["named_on"] == timezone.localdate()
    assert draft["parties"][0].name == "Département de la Loire"
    # The 2010–2013 contract has no recorded signing date: named as on 1 January 2010.
    first = contract_document(demo.contract.predecessor)
    assert first["named_on"] == datetime.date(2010, 1, 1)
    assert first["parties"][0].name == "Conseil général de la Loire"
    assert all(party.decision is None for party in first["parties"])  # none recorded


def test_the_annex_convention_names_the_partners_as_on_its_own_date(sealed_demo):
    text = stored_text(DocumentKind.ANNEX_CONVENTION)
    assert "Conseil général de la Loire" in text
    assert "Le Conseil général, bénéficiaire, porte les actions financées par la convention" in text
    assert "Département" not in text
    # Its own terms, and each line's plan: expenses, receipts, net cost, PSEJ, own share.
    for funder, share in (("CAF", "90"), ("MSA", "10")):
        assert (
            f"la {funder} retient {share} % du reste à charge de chaque action, lui-même plafonné "
            "à 40 000,00 € par action et par an, et y applique un taux de 50 % pour toute action"
        ) in text
    first = BudgetLine.objects.get(year=2014, annex_convention__isnull=False)
    shares = {c.partner.kind: c.amount for c in first.contributions.select_related("partner")}
    assert sum(shares.values()) == first.net_cost
    row = " ".join(
        format_eur(amount).replace("\u202f", " ").replace("\xa0", " ")
        for amount in (
            first.amount,
            first.other_receipts,
            first.net_cost,
            shares[PartnerKind.CAF],
            shares[PartnerKind.MSA],
            shares[PartnerKind.CONSEIL_GENERAL],
        )
    )
    assert row in text, row
    # Signed with the contract, in the same act: the same deliberations.
    assert "dûment autorisé par délibération n° CP-2014-09-0412" in text
    amendments = article("amendments").number
    assert f"approuvé et signé dans les conditions de l'article {amendments} du contrat" in text


def test_an_avenant_signed_in_2015_names_the_departement_and_its_own_deliberations(sealed_demo):
    text = stored_text(DocumentKind.AMENDMENT, amendment__number=1)
    assert "Département de la Loire" in text
    assert "Conseil général de la Loire," not in text.replace("Président du Conseil général", "")
    assert (
        "dûment autorisé par délibération n° CP-2015-04-0217 du 20 avril 2015 (Commission "
        "permanente du Département)," in text
    )


def test_the_contract_document_reads_twenty_queries(demo, django_assert_num_queries):
    """The objectives, fiches, their associated partners and aims; the signatures, the
    parties, their former names (with the fiches' partners'), their deliberations; the
    parties' roles and the funders' terms, their payment schedules and advances, the lines'
    expenses and receipts per year, the forecast shares per party and year; which fiche each
    line funds, the annex conventions, the CDAJE aims, the signed avenants, the planned
    amounts, the posts."""
    contract = Contract.objects.select_related("territory").get(pk=demo.contract.pk)
    with django_assert_num_queries(20):
        document = contract_document(contract)
    assert document["named_on"] == contract.signed_on
    assert document["parties"][0].name == "Conseil général de la Loire"
    assert [p.fiche.number for p in document["funded_fiches"]] == [4, 15, 12, 14]


@pytest.mark.parametrize(
    ("numbers", "label"),
    [
        ([15], "n° 15"),
        ([4, 15], "n° 4 et 15"),
        (list(range(1, 15)), "n° 1 à 14"),
        ([1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], "n° 1 à 3 et 5 à 14"),
        ([4, 12, 14, 15], "n° 4, 12, 14 et 15"),
    ],
)
def test_fiche_numbers_read_as_an_act_lists_them(numbers, label):
    assert fiche_numbers(numbers) == label


def test_years_read_as_ranges():
    assert year_ranges([2015, 2016, 2017]) == "2015–2017"
    assert year_ranges([2014]) == "2014"
    assert year_ranges([2014, 2016, 2017]) == "2014, 2016–2017"
