"""The approval path of an avenant, step by step through the services, for the tests of
avenants (services, pages, documents, concurrency). Dates follow the demo's avenant n° 2,
opened on 19 September 2016: the CDAJE's plenary in October, the boards in November, the
signatures in December."""

import datetime

from cej.models import Amendment, PartnerDecision
from financing.models import ExecutionEntry
from partners.models import Partner
from pilotage.amendment_apply import amendment_record_signature
from pilotage.amendment_selectors import amendment_page
from pilotage.amendments import amendment_record_decision, amendment_record_opinion

OPINION_ON = datetime.date(2016, 10, 11)
# Each party's board: (body, reference, date).
DECISIONS = {
    "cg": ("Commission permanente du Département", "CP-2016-11-0388", datetime.date(2016, 11, 14)),
    "caf": ("Conseil d'administration de la CAF", "2016-064", datetime.date(2016, 11, 8)),
    "msa": ("Conseil d'administration de la MSA", "CA-2016-41", datetime.date(2016, 11, 17)),
}
SIGNED_ON = datetime.date(2016, 12, 5)
LAST_SIGNED_ON = datetime.date(2016, 12, 12)


def demo_avenant(contract, number: int = 2) -> Amendment:
    return Amendment.objects.select_related("contract").get(contract=contract, number=number)


def free_2017(contract) -> None:
    """The demo records the execution of every year up to 2017. Avenant n° 2 is signed at the
    end of 2016: nothing is committed on the 2017 lines yet."""
    ExecutionEntry.objects.filter(line__contract=contract, line__year=2017).delete()


def approve(amendment: Amendment, by) -> Amendment:
    """The CDAJE's opinion, then every party's deliberation."""
    amendment_record_opinion(amendment=amendment, plenary_date=OPINION_ON, by=by)
    for slug, (body, reference, day) in DECISIONS.items():
        amendment_record_decision(
            amendment=amendment,
            partner=party(amendment.contract, slug),
            body=body,
            reference=reference,
            decided_on=day,
            by=by,
        )
    amendment.refresh_from_db()
    return amendment


def party(contract, slug: str) -> Partner:
    """The party whose slug starts with `slug` (cg, caf, msa)."""
    return Partner.objects.get(contract_parties__contract=contract, slug__startswith=slug)


def pending_signatories(amendment: Amendment) -> list:
    return amendment_page(demo_avenant(amendment.contract, amendment.number)).missing_signatories


def sign(amendment: Amendment, signatory, by, *, on=SIGNED_ON, place="Saint-Étienne"):
    return amendment_record_signature(
        amendment=amendment, signatory=signatory, signed_on=on, place=place, by=by
    )


def sign_all_but(amendment: Amendment, by, count: int) -> list:
    """Every representative signs but the last `count`, who are returned."""
    pending = pending_signatories(amendment)
    for signatory in pending[: len(pending) - count]:
        sign(amendment, signatory, by)
    return pending_signatories(amendment)


def decisions_of(amendment: Amendment) -> int:
    return PartnerDecision.objects.filter(amendment=amendment).count()
