"""Avenants through their services: opened on a signed contract only, one at a time; each
proposal checked as the contract will stand; the CDAJE's opinion refused while a year would
exceed the envelope; deliberations before signatures; and the last signature applying every
change at once, exactly once, each version naming the avenant. The demo's avenant n° 2 (open,
revising fiche 14) is the one these tests carry to its end."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cej.models import (
    AmendmentSignature,
    AmendmentStatus,
    AnnexConvention,
    Contract,
    ContractStatus,
    Document,
)
from fiches.models import Fiche, FicheStatus, FicheVersion
from fiches.services import CONTENT_FIELDS, snapshot_of
from financing.models import (
    BudgetLine,
    BudgetLineVersion,
    BudgetPost,
    ExecutionEntry,
    ExecutionKind,
)
from financing.psej import plan
from financing.terms import contract_terms
from partners.models import Signatory
from pilotage import signing
from pilotage.amendment_apply import amendment_finalise
from pilotage.amendment_selectors import amendment_page, proposed_lines
from pilotage.amendments import (
    ProposalConflict,
    amendment_abandon,
    amendment_change_cancel,
    amendment_fiche_propose,
    amendment_fiche_withdraw,
    amendment_line_propose,
    amendment_line_remove,
    amendment_open,
    amendment_record_decision,
    amendment_record_opinion,
    amendment_reopen,
    amendment_representative_change,
    amendment_update,
)
from pilotage.models import ChangeKind
from pilotage.permissions import can_open_amendment
from tests.factories import FicheFactory
from tests.pilotage.avenant_steps import (
    DECISIONS,
    LAST_SIGNED_ON,
    OPINION_ON,
    SIGNED_ON,
    approve,
    demo_avenant,
    free_2017,
    party,
    pending_signatories,
    sign,
    sign_all_but,
)

pytestmark = pytest.mark.django_db

OPEN_REFUSAL = (
    "L'avenant n° 2 est en cours : terminez-le ou abandonnez-le avant d'en ouvrir un autre."
)


@pytest.fixture
def cdaje(demo_user):
    return demo_user("cdaje")


@pytest.fixture
def avenant(demo_contract):
    """The demo's avenant n° 2, in preparation: it revises fiche 14."""
    return demo_avenant(demo_contract)


def fiche(contract, number) -> Fiche:
    return Fiche.objects.get(contract=contract, number=number)


def line(contract, year, post, fiche_number=None) -> BudgetLine:
    lines = BudgetLine.objects.filter(contract=contract, year=year, post__code=post)
    return lines.get(fiche__number=fiche_number) if fiche_number else lines.get(fiche=None)


def revise(amendment, target: Fiche, by, **changes):
    content = {name: getattr(target, name) for name in CONTENT_FIELDS}
    return amendment_fiche_propose(
        amendment=amendment,
        fiche=target,
        changes={
            **content,
            "objective": target.objective,
            "lead_partner": target.lead_partner,
            **changes,
        },
        associated_partners=target.associated_partners.all(),
        aims=target.aims.all(),
        by=by,
    )


def split(contract, caf, cg, msa) -> dict:
    return {
        party(contract, "caf").pk: Decimal(caf),
        party(contract, "cg").pk: Decimal(cg),
        party(contract, "msa").pk: Decimal(msa),
    }


def propose_line(
    amendment, by, *, year, post, fiche_number, amount, receipts="0", continued=False, target=None
):
    return amendment_line_propose(
        amendment=amendment,
        line=target,
        year=year,
        post=BudgetPost.objects.get(code=post),
        fiche_number=fiche_number,
        label="",
        amount=Decimal(amount),
        other_receipts=receipts,
        continued=continued,
        by=by,
    )


def forecast_of(line: BudgetLine) -> dict:
    """The line's financing as `financing.psej` computes it from the contract's terms: each
    funder's PSEJ and the beneficiary's own share, by partner id."""
    terms = contract_terms(line.contract_id)
    financing = plan(
        expenses=line.amount,
        receipts=line.other_receipts,
        continued=line.continued,
        terms=terms.for_line(line),
    )
    return {**financing.psej, terms.beneficiary_id: financing.own_share}


def convention_to_2016(contract) -> None:
    """The world as if avenant n° 1 had extended the annex convention to 2016 only, and
    nothing of 2017 were committed yet (avenant n° 2 is signed at the end of 2016)."""
    free_2017(contract)
    annex = contract.annex_conventions.get()
    BudgetLine.objects.filter(contract=contract, year=2017, annex_convention=annex).delete()
    AnnexConvention.objects.filter(pk=annex.pk).update(end_year=2016)


def messages_of(error) -> list[str]:
    return error.value.messages


# --- opening -------------------------------------------------------------------------------


def test_one_avenant_at_a_time(demo_contract, cdaje):
    assert can_open_amendment(cdaje, demo_contract) == (False, OPEN_REFUSAL)
    with pytest.raises(PermissionDenied, match="L'avenant n° 2 est en cours"):
        amendment_open(contract=demo_contract, title="Un autre", by=cdaje)
    assert demo_contract.amendments.count() == 2


def test_a_contract_in_preparation_is_changed_directly_not_by_avenant(
    contract_in_preparation, cdaje
):
    allowed, reason = can_open_amendment(cdaje, contract_in_preparation)
    assert not allowed
    assert reason.startswith("Le contrat n'est pas encore signé : modifiez-le directement")


def test_an_abandoned_avenant_is_kept_and_another_can_open(demo_contract, avenant, cdaje):
    fiche_14 = snapshot_of(fiche(demo_contract, 14))
    with pytest.raises(ValidationError) as error:
        amendment_abandon(amendment=avenant, reason="  ", by=cdaje)
    assert error.value.message_dict == {"reason": ["Indiquez pourquoi l'avenant est abandonné."]}

    amendment_abandon(amendment=avenant, reason="Reporté au prochain contrat.", by=cdaje)
    avenant.refresh_from_db()
    assert avenant.status == AmendmentStatus.ABANDONED
    assert avenant.abandon_reason == "Reporté au prochain contrat."
    assert avenant.abandoned_on == datetime.date.today()
    assert avenant.fiche_changes.count() == 1  # its proposal kept with it
    assert snapshot_of(fiche(demo_contract, 14)) == fiche_14
    with pytest.raises(PermissionDenied, match="L'avenant est abandonné : il ne change plus"):
        revise(avenant, fiche(demo_contract, 3), cdaje, title="Autre intitulé")

    third = amendment_open(contract=demo_contract, title="Nouvel avenant", by=cdaje)
    assert (third.number, third.status, third.opened_by) == (3, AmendmentStatus.DRAFT, cdaje)


@pytest.mark.parametrize(
    "status, reason",
    [
        (ContractStatus.EXPIRED, "Le contrat est arrivé à échéance : il est figé"),
        (ContractStatus.TERMINATED, "Le contrat est résilié : il est figé"),
    ],
)
def test_a_frozen_contract_takes_no_avenant_and_its_open_one_no_change(
    demo_contract, avenant, cdaje, status, reason
):
    Contract.objects.filter(pk=demo_contract.pk).update(status=status)
    demo_contract.refresh_from_db()
    fiche_3 = snapshot_of(fiche(demo_contract, 3))
    allowed, refusal = can_open_amendment(cdaje, demo_contract)
    assert not allowed and refusal.startswith(reason)
    attempts = [
        lambda: amendment_open(contract=demo_contract, title="Un avenant", by=cdaje),
        lambda: revise(avenant, fiche(demo_contract, 3), cdaje, title="Autre intitulé"),
        lambda: amendment_fiche_withdraw(
            amendment=avenant, fiche=fiche(demo_contract, 13), by=cdaje
        ),
        lambda: amendment_record_opinion(amendment=avenant, plenary_date=OPINION_ON, by=cdaje),
        lambda: amendment_abandon(amendment=avenant, reason="Trop tard.", by=cdaje),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match=reason):
            attempt()
    avenant.refresh_from_db()
    assert avenant.status == AmendmentStatus.DRAFT
    assert avenant.fiche_changes.count() == 1
    assert snapshot_of(fiche(demo_contract, 3)) == fiche_3


# --- proposals, checked as they will stand ----------------------------------------------------


def test_a_revised_fiche_stays_as_signed_until_the_avenant_is(demo_contract, avenant, cdaje):
    before = snapshot_of(fiche(demo_contract, 3))
    change = revise(avenant, fiche(demo_contract, 3), cdaje, title="Horaires atypiques : 2017")
    assert (change.kind, change.number, change.version) == (ChangeKind.REVISE, 3, 1)
    assert change.proposed["title"] == "Horaires atypiques : 2017"
    assert snapshot_of(fiche(demo_contract, 3)) == before
    # Saved from a stale form: refused, the proposal kept as it is.
    with pytest.raises(ProposalConflict):
        amendment_fiche_propose(
            amendment=avenant,
            fiche=fiche(demo_contract, 3),
            changes={"title": "Autre", "objective": fiche(demo_contract, 3).objective},
            associated_partners=[],
            aims=[],
            by=cdaje,
            expected_version=0,
        )
    change.refresh_from_db()
    assert change.proposed["title"] == "Horaires atypiques : 2017"


def test_a_fiche_the_avenant_would_not_change_is_refused(demo_contract, avenant, cdaje):
    with pytest.raises(ValidationError) as error:
        revise(avenant, fiche(demo_contract, 3), cdaje)
    assert messages_of(error) == ["Rien n'a changé dans la fiche : l'avenant ne la modifie pas."]


def test_a_fiche_of_another_contract_is_refused(demo_contract, avenant, cdaje):
    stranger = FicheFactory(validated=True)
    for attempt in (
        lambda: revise(avenant, stranger, cdaje, title="Autre intitulé"),
        lambda: amendment_fiche_withdraw(amendment=avenant, fiche=stranger, by=cdaje),
    ):
        with pytest.raises(ValidationError) as error:
            attempt()
        assert messages_of(error) == ["Cette fiche relève d'un autre contrat."]
    assert avenant.fiche_changes.count() == 1


def test_a_fiche_still_funded_cannot_be_withdrawn(demo_contract, avenant, cdaje):
    with pytest.raises(ValidationError) as error:
        amendment_fiche_withdraw(amendment=avenant, fiche=fiche(demo_contract, 14), by=cdaje)
    assert messages_of(error) == [
        "La fiche n° 14 finance encore 4 ligne(s) budgétaire(s) (2014, 2015, 2016, 2017) : "
        "réaffectez-les ou retirez-les dans l'avenant d'abord."
    ]
    # Fiche 13 funds nothing: withdrawn; then no line of the avenant may fund it, nor may it
    # be revised before the withdrawal is cancelled.
    amendment_fiche_withdraw(amendment=avenant, fiche=fiche(demo_contract, 13), by=cdaje)
    free_2017(demo_contract)
    with pytest.raises(ValidationError) as error:
        propose_line(
            avenant,
            cdaje,
            year=2017,
            post="communication",
            fiche_number=13,
            amount="1000",
        )
    assert error.value.message_dict == {"fiche": ["La fiche n° 13 ne fait pas partie du contrat."]}
    with pytest.raises(ValidationError, match="L'avenant retire cette fiche"):
        revise(avenant, fiche(demo_contract, 13), cdaje, title="Autre intitulé")


def test_a_fiche_added_by_the_avenant_may_be_funded_by_it(demo_contract, avenant, cdaje):
    added = amendment_fiche_propose(
        amendment=avenant,
        fiche=None,
        changes={
            "title": "Lettre d'information des assistants maternels",
            "actions": "<p>Une lettre semestrielle.</p>",
            "objective": demo_contract.objectives.get(number=3),
            "lead_partner": party(demo_contract, "caf"),
        },
        associated_partners=[party(demo_contract, "msa")],
        aims=[],
        by=cdaje,
    )
    assert (added.kind, added.number, added.fiche) == (ChangeKind.ADD, 16, None)
    assert not Fiche.objects.filter(contract=demo_contract, number=16).exists()
    free_2017(demo_contract)
    funding = propose_line(
        avenant,
        cdaje,
        year=2017,
        post="communication",
        fiche_number=16,
        amount="1000",
    )
    assert funding.proposed["fiche_number"] == 16
    with pytest.raises(ValidationError) as error:
        amendment_change_cancel(change=added, by=cdaje)
    assert messages_of(error) == [
        "Des lignes proposées financent la fiche n° 16 : retirez-les d'abord."
    ]


def test_an_annex_line_needs_the_convention_to_cover_its_year(demo_contract, avenant, cdaje):
    convention_to_2016(demo_contract)
    annex_line = {
        "post": "accueil-enfants-handicapes",
        "fiche_number": 15,
    }
    with pytest.raises(ValidationError) as error:
        propose_line(avenant, cdaje, year=2018, amount="1000", **annex_line)
    assert error.value.message_dict == {
        "year": ["L'année 2018 est hors de la période du contrat (2014–2017)."]
    }
    with pytest.raises(ValidationError) as error:
        propose_line(avenant, cdaje, year=2017, amount="1000", **annex_line)
    assert error.value.message_dict["post"] == [
        "La convention annexe ne couvre pas 2017, même après l'avenant : le poste « Dispositif "
        "d'accueil d'enfants handicapés dans les crèches » ne peut pas y être financé "
        "(prolongez la convention dans l'avenant)."
    ]

    amendment_update(
        amendment=avenant, title=avenant.title, summary="", new_end_year=2017, by=cdaje
    )
    propose_line(avenant, cdaje, year=2017, amount="1000", **annex_line)
    avenant.refresh_from_db()
    assert amendment_page(avenant).annex_before == "2014–2016"
    assert amendment_page(avenant).annex_after == "2014–2017"
    # The line keeps the extension: it cannot be dropped, nor the convention shortened.
    with pytest.raises(ValidationError) as error:
        amendment_update(
            amendment=avenant, title=avenant.title, summary="", new_end_year=None, by=cdaje
        )
    assert (
        "la convention annexe doit alors couvrir 2017"
        in error.value.message_dict["new_end_year"][0]
    )
    with pytest.raises(ValidationError, match="un avenant la prolonge, il ne la raccourcit pas"):
        amendment_update(
            amendment=avenant, title=avenant.title, summary="", new_end_year=2015, by=cdaje
        )
    avenant.refresh_from_db()
    assert avenant.new_end_year == 2017


def test_a_proposed_line_carries_its_receipts_and_continuation_not_a_split(
    demo_contract, avenant, cdaje
):
    free_2017(demo_contract)
    target = line(demo_contract, 2017, "communication", 14)  # 38 000 €, 3 000 € of receipts
    assert (target.amount, target.other_receipts, target.continued) == (
        Decimal("38000.00"),
        Decimal("3000.00"),
        False,
    )
    same = {"year": 2017, "post": "communication", "fiche_number": 14, "target": target}
    with pytest.raises(ValidationError) as error:
        propose_line(avenant, cdaje, amount="38000", receipts="3000", **same)
    assert messages_of(error) == ["Rien n'a changé dans la ligne : l'avenant ne la modifie pas."]
    for receipts, message in [
        (
            "38000.01",
            "Les autres recettes prévues (38 000,01 €) dépassent les dépenses prévues "
            "(38 000,00 €) : le reste à charge serait négatif.",
        ),
        ("-1", "Un montant ne peut pas être négatif."),
        ("abc", "Montant illisible : abc."),
    ]:
        with pytest.raises(ValidationError) as error:
            propose_line(avenant, cdaje, amount="38000", receipts=receipts, **same)
        assert error.value.message_dict == {"other_receipts": [message]}, receipts
    assert not avenant.line_changes.exists()

    # Only the continuation changes: a proposal, in the new shape, with no typed split.
    change = propose_line(avenant, cdaje, amount="38000", receipts="3000", continued=True, **same)
    assert change.proposed == {
        "year": 2017,
        "post_id": target.post_id,
        "fiche_number": 14,
        "label": "",
        "amount": "38000.00",
        "other_receipts": "3000.00",
        "continued": True,
    }
    # The page computes its financing (never stored): 35 000 € of net cost at 60 %.
    view = amendment_page(avenant).line_changes[0]
    rows = {row.label: (str(row.before), str(row.after)) for row in view.rows}
    assert rows["Action reconduite du contrat précédent"] == (
        "<del>non (action nouvelle)</del>",
        "<ins>oui (action antérieure)</ins>",
    )
    assert rows["PSEJ CAF"] == (
        "<del>17 325,00 €</del>",  # 35 000 × 90 % × 55 %
        "<ins>18 900,00 €</ins>",  # 35 000 × 90 % × 60 %
    )
    assert rows["PSEJ MSA"] == ("<del>1 925,00 €</del>", "<ins>2 100,00 €</ins>")
    assert rows["Part du bénéficiaire (Département)"] == (
        "<del>15 750,00 €</del>",
        "<ins>14 000,00 €</ins>",
    )
    assert "Dépenses prévues" not in rows and "Autres recettes prévues" not in rows
    assert view.shares == (
        "PSEJ CAF 18 900,00 € · PSEJ MSA 2 100,00 € · part du "
        "bénéficiaire (Département) 14 000,00 €"
    )
    assert BudgetLine.objects.get(pk=target.pk).continued is False  # nothing applied yet


def test_an_old_proposal_without_receipts_reads_as_a_new_action(demo_contract, avenant, cdaje):
    """Proposals saved before lines had other receipts and a continued flag (and with the
    typed split they carried then) read as 0,00 € of receipts and a new action."""
    free_2017(demo_contract)
    change = propose_line(
        avenant,
        cdaje,
        target=line(demo_contract, 2017, "coordination", 12),
        year=2017,
        post="coordination",
        fiche_number=12,
        amount="110000",
        continued=True,
    )
    change.proposed = {
        **{k: v for k, v in change.proposed.items() if k not in ("other_receipts", "continued")},
        "contributions": {str(party(demo_contract, "caf").pk): "110000.00"},
    }
    change.save()
    proposed = next(p for p in proposed_lines(avenant) if p.change == change)
    assert (proposed.other_receipts, proposed.continued) == (Decimal("0.00"), False)
    rows = {row.label: row for row in amendment_page(avenant).line_changes[0].rows}
    assert "<ins>non (action nouvelle)</ins>" in str(
        rows["Action reconduite du contrat précédent"].after
    )


def test_a_line_with_commitments_is_neither_removed_nor_reduced_below_them(
    demo_contract, avenant, cdaje
):
    target = line(demo_contract, 2016, "communication", 14)  # 38 000 € committed
    with pytest.raises(ValidationError) as error:
        amendment_line_remove(amendment=avenant, line=target, by=cdaje)
    assert messages_of(error) == [
        "Des engagements ou paiements sont saisis sur cette ligne : l'avenant peut en réduire "
        "le prévu jusqu'aux engagements, pas la retirer."
    ]
    ExecutionEntry.objects.filter(line=target, kind=ExecutionKind.PAYMENT).delete()
    ExecutionEntry.objects.filter(line=target).update(amount=Decimal("30000.00"))
    reduce = {"target": target, "year": 2016, "post": "communication", "fiche_number": 14}
    with pytest.raises(ValidationError) as error:
        propose_line(avenant, cdaje, amount="29999.99", **reduce)
    assert error.value.message_dict == {
        "amount": [
            "Le prévu (29\u202f999,99\u00a0€) serait inférieur aux engagements déjà saisis "
            "(30\u202f000,00\u00a0€)."
        ]
    }
    change = propose_line(avenant, cdaje, amount="30000", **reduce)
    assert (change.kind, change.line) == (ChangeKind.REVISE, target)
    assert BudgetLine.objects.get(pk=target.pk).amount == Decimal("38000.00")


# --- the CDAJE's opinion, the deliberations, the signatures -------------------------------------


def test_the_opinion_is_refused_while_a_year_exceeds_the_envelope(demo_contract, avenant, cdaje):
    free_2017(demo_contract)
    propose_line(
        avenant,
        cdaje,
        year=2017,
        post="communication",
        fiche_number=None,
        amount="12500.50",
    )
    with pytest.raises(ValidationError) as error:
        amendment_record_opinion(amendment=avenant, plenary_date=OPINION_ON, by=cdaje)
    assert messages_of(error) == [
        "En 2017, le budget après avenant (210\u202f500,50\u00a0€) dépasserait l'enveloppe "
        "annuelle (198\u202f000,00\u00a0€) de 12\u202f500,50\u00a0€."
    ]
    avenant.refresh_from_db()
    assert (avenant.status, avenant.opinion_on) == (AmendmentStatus.DRAFT, None)

    # Reallocated from the coordination line, the year is back within the envelope.
    propose_line(
        avenant,
        cdaje,
        target=line(demo_contract, 2017, "coordination", 12),
        year=2017,
        post="coordination",
        fiche_number=12,
        continued=True,
        amount="107499.50",
    )
    amendment_record_opinion(amendment=avenant, plenary_date=OPINION_ON, by=cdaje)
    avenant.refresh_from_db()
    assert (avenant.status, avenant.opinion_on) == (AmendmentStatus.APPROVAL, OPINION_ON)


def test_the_opinion_needs_a_change_and_a_plausible_date(demo_contract, avenant, cdaje):
    for day, message in [
        (datetime.date.today() + datetime.timedelta(days=1), "La date ne peut pas être future."),
        (
            datetime.date(2014, 9, 30),
            "La plénière ne peut pas précéder la signature du contrat.",
        ),
    ]:
        with pytest.raises(ValidationError) as error:
            amendment_record_opinion(amendment=avenant, plenary_date=day, by=cdaje)
        assert error.value.message_dict == {"plenary_date": [message]}
    amendment_change_cancel(change=avenant.fiche_changes.get(), by=cdaje)
    with pytest.raises(ValidationError) as error:
        amendment_record_opinion(amendment=avenant, plenary_date=OPINION_ON, by=cdaje)
    assert messages_of(error) == ["L'avenant ne modifie encore rien : proposez ses modifications."]


def test_the_opinion_fixes_the_changes_until_the_avenant_is_reopened(demo_contract, avenant, cdaje):
    with pytest.raises(PermissionDenied, match="La CDAJE doit d'abord rendre son avis"):
        amendment_record_decision(
            amendment=avenant,
            partner=party(demo_contract, "caf"),
            body="Conseil d'administration",
            reference="2016-064",
            decided_on=OPINION_ON,
            by=cdaje,
        )
    amendment_record_opinion(amendment=avenant, plenary_date=OPINION_ON, by=cdaje)
    with pytest.raises(PermissionDenied, match="La CDAJE a rendu son avis sur l'avenant"):
        revise(avenant, fiche(demo_contract, 3), cdaje, title="Autre intitulé")
    amendment_reopen(amendment=avenant, by=cdaje)
    revise(avenant, fiche(demo_contract, 3), cdaje, title="Autre intitulé")

    amendment_record_opinion(amendment=avenant, plenary_date=OPINION_ON, by=cdaje)
    caf = {
        "partner": party(demo_contract, "caf"),
        "body": "CA",
        "reference": "2016-064",
        "by": cdaje,
    }
    with pytest.raises(ValidationError) as error:
        amendment_record_decision(amendment=avenant, decided_on=datetime.date(2016, 10, 10), **caf)
    assert error.value.message_dict == {
        "decided_on": ["La délibération ne peut pas précéder l'avis de la CDAJE (11 octobre 2016)."]
    }
    amendment_record_decision(amendment=avenant, decided_on=datetime.date(2016, 11, 8), **caf)
    with pytest.raises(ValidationError, match="La délibération de ce partenaire est déjà saisie"):
        amendment_record_decision(amendment=avenant, decided_on=datetime.date(2016, 11, 9), **caf)
    with pytest.raises(ValidationError, match="Une partie a déjà délibéré sur l'avenant"):
        amendment_reopen(amendment=avenant, by=cdaje)


def test_every_party_decides_before_anyone_signs(demo_contract, avenant, cdaje):
    amendment_record_opinion(amendment=avenant, plenary_date=OPINION_ON, by=cdaje)
    body, reference, day = DECISIONS["caf"]
    amendment_record_decision(
        amendment=avenant,
        partner=party(demo_contract, "caf"),
        body=body,
        reference=reference,
        decided_on=day,
        by=cdaje,
    )
    with pytest.raises(ValidationError) as error:
        sign(avenant, pending_signatories(avenant)[0], cdaje)
    assert messages_of(error) == [
        "Toutes les parties doivent avoir délibéré avant la signature (manque : Département de "
        "la Loire, Caisse de mutualité sociale agricole Ardèche Drôme Loire)."
    ]
    assert not AmendmentSignature.objects.filter(amendment=avenant).exists()


def test_the_signature_dates_follow_the_deliberations(demo_contract, avenant, cdaje):
    approve(avenant, cdaje)
    first = pending_signatories(avenant)[0]
    refusals = [
        (
            datetime.date.today() + datetime.timedelta(days=1),
            "Saint-Étienne",
            {"signed_on": ["La date de signature ne peut pas être future."]},
        ),
        (
            datetime.date(2016, 11, 16),
            "Saint-Étienne",
            {"signed_on": ["La signature ne peut pas précéder les délibérations des parties."]},
        ),
        (
            datetime.date(2018, 1, 8),
            "Saint-Étienne",
            {"signed_on": ["Le contrat s'achève en 2017."]},
        ),
        (SIGNED_ON, "  ", {"place": ["Indiquez le lieu de signature."]}),
    ]
    for day, place, expected in refusals:
        with pytest.raises(ValidationError) as error:
            sign(avenant, first, cdaje, on=day, place=place)
        assert error.value.message_dict == expected
    sign(avenant, first, cdaje)
    with pytest.raises(ValidationError, match="ou a déjà signé l'avenant"):
        sign(avenant, first, cdaje)
    assert AmendmentSignature.objects.filter(amendment=avenant).count() == 1
    # Until the last signature it binds nobody: it can still be abandoned, signatures kept.
    amendment_abandon(amendment=avenant, reason="Une partie renonce.", by=cdaje)
    avenant.refresh_from_db()
    assert avenant.status == AmendmentStatus.ABANDONED
    assert AmendmentSignature.objects.filter(amendment=avenant).count() == 1


# --- the last signature -----------------------------------------------------------------------


def test_only_a_signed_avenant_gets_a_sealed_act(avenant, cdaje):
    avenant.signed_on = SIGNED_ON  # as a careless admin edit would leave it
    with pytest.raises(ValidationError) as error:
        signing.amendment_seal(avenant, by=cdaje)
    assert messages_of(error) == ["Seul un avenant signé reçoit son document scellé."]
    assert not Document.objects.filter(amendment=avenant).exists()


@pytest.fixture
def sealed_acts(monkeypatch):
    """The avenants the last signature seals. Sealing renders the act (seconds): its own
    tests are tests/pilotage/test_amendment_documents.py."""
    sealed = []
    monkeypatch.setattr(
        signing,
        "amendment_seal",
        lambda amendment, by=None: sealed.append((amendment.pk, amendment.status)),
    )
    return sealed


@pytest.fixture
def full_avenant(demo_contract, avenant, cdaje):
    """Avenant n° 2 changing everything an avenant can, in a world where avenant n° 1 extended
    the convention to 2016 only and nothing of 2017 is committed yet: fiche 14 revised (the
    demo's proposal), fiche 16 added, fiche 13 withdrawn; the 2017 coordination reduced, the
    2017 communication of fiche 14 removed and one for fiche 16 added; the convention extended
    to 2017 with a line for fiche 4; the CAF's director replaced. 2017: 158 000 → 198 000 €."""
    contract = demo_contract
    convention_to_2016(contract)

    amendment_update(
        amendment=avenant, title=avenant.title, summary="", new_end_year=2017, by=cdaje
    )
    amendment_fiche_propose(
        amendment=avenant,
        fiche=None,
        changes={
            "title": "Lettre d'information des assistants maternels",
            "actions": "<p>Une lettre semestrielle.</p>",
            "objective": contract.objectives.get(number=3),
            "lead_partner": party(contract, "caf"),
        },
        associated_partners=[party(contract, "msa")],
        aims=[],
        by=cdaje,
    )
    amendment_fiche_withdraw(amendment=avenant, fiche=fiche(contract, 13), by=cdaje)
    propose_line(
        avenant,
        cdaje,
        target=line(contract, 2017, "coordination", 12),
        year=2017,
        post="coordination",
        fiche_number=12,
        continued=True,
        amount="110000",
    )
    amendment_line_remove(
        amendment=avenant, line=line(contract, 2017, "communication", 14), by=cdaje
    )
    propose_line(
        avenant,
        cdaje,
        year=2017,
        post="communication",
        fiche_number=16,
        amount="48000",
        receipts="6000",
        continued=True,
    )
    propose_line(
        avenant,
        cdaje,
        year=2017,
        post="accueil-enfants-handicapes",
        fiche_number=4,
        amount="40000",
    )
    amendment_representative_change(
        amendment=avenant,
        leaving=Signatory.objects.get(last_name="Ferrand"),
        civility="Mme",
        first_name="Claire",
        last_name="Dumas",
        by=cdaje,
    )
    assert amendment_page(avenant).envelope_errors == []
    return approve(avenant, cdaje)


def named_versions(amendment):
    return (
        FicheVersion.objects.filter(amendment=amendment).count(),
        BudgetLineVersion.objects.filter(amendment=amendment).count(),
    )


def lines_2017(contract) -> dict:
    return {
        (line.post.code, line.fiche.number if line.fiche_id else None): line.amount
        for line in BudgetLine.objects.filter(contract=contract, year=2017).select_related(
            "post", "fiche"
        )
    }


def test_the_last_signature_applies_everything(demo_contract, full_avenant, cdaje, sealed_acts):
    contract, avenant = demo_contract, full_avenant
    fiche_14_before = snapshot_of(fiche(contract, 14))
    last = sign_all_but(avenant, cdaje, 1)[0]
    assert fiche(contract, 14).actions == fiche_14_before["actions"]  # nothing applied yet
    assert sealed_acts == []

    sign(avenant, last, cdaje, on=LAST_SIGNED_ON, place="Roanne")
    avenant.refresh_from_db()
    assert (avenant.status, avenant.signed_on, avenant.signing_place) == (
        AmendmentStatus.SIGNED,
        LAST_SIGNED_ON,
        "Roanne",
    )
    assert sealed_acts == [(avenant.pk, AmendmentStatus.SIGNED)]
    # What the avenant found is kept for its act and history.
    assert avenant.previous_end_year == 2016
    assert avenant.applied_budget == {
        "2014": ["198000.00", "198000.00"],
        "2015": ["198000.00", "198000.00"],
        "2016": ["198000.00", "198000.00"],
        "2017": ["158000.00", "198000.00"],
    }

    # Fiches: 14 revised, 16 added (validated on the day of the CDAJE's opinion), 13 withdrawn;
    # each version names the avenant.
    fiche_14 = fiche(contract, 14)
    assert "lettre semestrielle aux assistants maternels" in fiche_14.actions
    assert avenant.fiche_changes.get(number=14).before == fiche_14_before
    fiche_16 = fiche(contract, 16)
    assert (fiche_16.title, fiche_16.status, fiche_16.validated_on) == (
        "Lettre d'information des assistants maternels",
        FicheStatus.VALIDATED,
        OPINION_ON,
    )
    assert list(fiche_16.associated_partners.all()) == [party(contract, "msa")]
    assert fiche(contract, 13).status == FicheStatus.WITHDRAWN
    for number in (13, 14, 16):
        version = FicheVersion.objects.filter(
            fiche__contract=contract, fiche__number=number
        ).latest("number")
        assert (version.amendment, version.action) == (avenant, "Avenant n° 2"), number

    # Lines: reduced, removed, added, on the extended convention too.
    assert lines_2017(contract) == {
        ("coordination", 12): Decimal("110000.00"),
        ("communication", 16): Decimal("48000.00"),
        ("accueil-enfants-handicapes", 4): Decimal("40000.00"),
    }
    annex = contract.annex_conventions.get()
    assert annex.end_year == 2017
    assert line(contract, 2017, "accueil-enfants-handicapes", 4).annex_convention == annex
    # The added line as proposed — 6 000 € of other receipts, an action carried over — and
    # its forecast shares computed as `financing.psej` gives them: 42 000 € of net cost, at
    # 60 % for an action carried over.
    added = line(contract, 2017, "communication", 16)
    assert (added.other_receipts, added.continued) == (Decimal("6000.00"), True)
    shares = {c.partner_id: c.amount for c in added.contributions.all()}
    assert shares == forecast_of(added) == split(contract, "22680.00", "16800.00", "2520.00")
    assert sum(shares.values()) == added.net_cost == Decimal("42000.00")
    reduced = line(contract, 2017, "coordination", 12)  # the CAF's share held at its ceiling
    assert (
        {c.partner_id: c.amount for c in reduced.contributions.all()}
        == forecast_of(reduced)
        == split(contract, "54000.00", "50000.00", "6000.00")
    )
    # What the avenant found, kept in the new snapshot shape for its act and history.
    before = avenant.line_changes.get(line=reduced).before
    assert (before["amount"], before["other_receipts"], before["continued"]) == (
        "120000.00",
        "0.00",
        True,
    )
    assert before["contributions"] == {
        str(k): str(v) for k, v in split(contract, "54000.00", "60000.00", "6000.00").items()
    }
    versions = BudgetLineVersion.objects.filter(amendment=avenant)
    assert sorted(versions.values_list("kind", flat=True)) == [
        "changed",
        "created",
        "created",
        "deleted",
    ]
    assert set(versions.values_list("action", flat=True)) == {"Avenant n° 2"}

    # The CAF's director replaced: the former one leaves office.
    former = Signatory.objects.get(last_name="Ferrand")
    arriving = avenant.representative_changes.get().arriving
    assert not former.is_active
    assert (arriving.full_name, arriving.function, arriving.partner, arriving.is_active) == (
        "Mme Claire Dumas",
        former.function,
        former.partner,
        True,
    )
    # The avenant still says who signed it: the former director, not his successor.
    page = amendment_page(demo_avenant(contract))
    caf = next(row for row in page.party_rows if row[0] == former.partner)
    assert [(s.full_name, signature.signed_on) for s, signature in caf[2]] == [
        ("Mme Annie Courbon", SIGNED_ON),
        ("M. Olivier Ferrand", SIGNED_ON),
    ]
    assert page.missing_signatories == []


def test_the_avenant_is_applied_exactly_once(demo_contract, full_avenant, cdaje, sealed_acts):
    contract, avenant = demo_contract, full_avenant
    last = sign_all_but(avenant, cdaje, 1)[0]
    sign(avenant, last, cdaje, on=LAST_SIGNED_ON)

    def state():
        return (
            named_versions(avenant),
            lines_2017(contract),
            Fiche.objects.filter(contract=contract).count(),
            Signatory.objects.filter(is_active=True).count(),
            snapshot_of(fiche(contract, 14)),
            BudgetLine.objects.filter(contract=contract).count(),
        )

    applied = state()
    assert applied[0] == (3, 4)
    amendment_finalise(demo_avenant(contract), by=cdaje)
    assert state() == applied
    assert len(sealed_acts) == 1
    with pytest.raises(PermissionDenied, match="L'avenant est signé : il ne change plus"):
        sign(avenant, Signatory.objects.get(last_name="Dumas"), cdaje)


def test_a_change_that_no_longer_applies_leaves_everything_unsigned(
    demo_contract, full_avenant, cdaje, sealed_acts
):
    """A commitment recorded on the 2017 coordination after the avenant reduced it: the last
    signature cannot apply the reduction, and nothing of the avenant is applied — not the
    fiches, the convention or the representative changed before the lines, nor the
    signature itself."""
    contract, avenant = demo_contract, full_avenant
    ExecutionEntry.objects.create(
        line=line(contract, 2017, "coordination", 12),
        kind=ExecutionKind.COMMITMENT,
        date=datetime.date(2016, 12, 1),
        amount=Decimal("115000.00"),
    )
    last = sign_all_but(avenant, cdaje, 1)[0]
    before = snapshot_of(fiche(contract, 14)), lines_2017(contract)
    with pytest.raises(ValidationError, match="serait inférieur aux engagements déjà saisis"):
        sign(avenant, last, cdaje, on=LAST_SIGNED_ON)
    avenant.refresh_from_db()
    assert (avenant.status, avenant.signed_on, avenant.applied_budget) == (
        AmendmentStatus.APPROVAL,
        None,
        {},
    )
    assert (snapshot_of(fiche(contract, 14)), lines_2017(contract)) == before
    assert not Fiche.objects.filter(contract=contract, number=16).exists()
    assert fiche(contract, 13).status == FicheStatus.VALIDATED
    assert contract.annex_conventions.get().end_year == 2016
    assert Signatory.objects.get(last_name="Ferrand").is_active
    assert named_versions(avenant) == (0, 0)
    assert not AmendmentSignature.objects.filter(amendment=avenant, signatory=last).exists()
    assert sealed_acts == []
