"""factory_boy factories with named traits: `ContractFactory(signed=True)`,
`FicheFactory(validated=True)`, `UserFactory(cdaje=True, territory=t)`."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from cej import roles
from cej.models import (
    AnnexConvention,
    Contract,
    ContractParty,
    ContractStatus,
    PartyRole,
    Territory,
)
from cej.page_cache import mark_contract_changed
from fiches.models import Aim, Fiche, FicheStatus, Objective
from financing.models import (
    Advance,
    BudgetLine,
    BudgetPost,
    Contribution,
    ExecutionEntry,
    FunderPayment,
    FunderPaymentKind,
    FundingTerms,
    Instrument,
    PaymentSchedule,
    SupportingDocument,
    SupportingDocumentKind,
)
from partners.models import Partner, PartnerKind, Signatory


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ["code"]

    # Never 42: the Loire of the shared demo world (get_or_create would hand it back).
    code = factory.Sequence(lambda n: f"{n + 1 if n + 1 < 42 else n + 2:02d}")
    name = factory.Sequence(lambda n: f"Département {n + 1}")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Caisse d'allocations familiales n° {n}")
    short_name = factory.Sequence(lambda n: f"CAF{n}")
    slug = factory.Sequence(lambda n: f"partenaire-{n}")
    kind = PartnerKind.CAF


class SignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signatory

    partner = factory.SubFactory(PartnerFactory)
    civility = "Mme"
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    function = "Directrice"


class ContractDataFactory(factory.django.DjangoModelFactory):
    """A factory of rows that belong to a contract. It writes rows directly, where the
    application writes through its services: so it marks the contract changed as they do
    (`cej.page_cache`), or a page cached before would not show the row."""

    class Meta:
        abstract = True

    @staticmethod
    def contract_id_of(row):
        return row.contract_id

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        if create:
            mark_contract_changed(cls.contract_id_of(instance))


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract
        skip_postgeneration_save = True

    territory = factory.SubFactory(TerritoryFactory)
    slug = factory.Sequence(lambda n: f"cej-test-{n}")
    title = factory.Sequence(lambda n: f"Contrat enfance jeunesse de test n° {n}")
    start_year = 2014
    end_year = 2017
    annual_envelope = Decimal("198000.00")
    status = ContractStatus.DRAFT

    class Params:
        signed = factory.Trait(status=ContractStatus.SIGNED, signed_on=datetime.date(2014, 10, 1))

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        """`ContractFactory(partners=[p1, p2])` makes them parties: a Conseil général is the
        beneficiary, the others fund."""
        if create and extracted:
            for order, partner in enumerate(extracted, start=1):
                role = (
                    PartyRole.BENEFICIARY
                    if partner.kind == PartnerKind.CONSEIL_GENERAL
                    else PartyRole.FUNDER
                )
                ContractParty.objects.create(contract=self, partner=partner, order=order, role=role)


class ContractPartyFactory(ContractDataFactory):
    class Meta:
        model = ContractParty

    contract = factory.SubFactory(ContractFactory)
    partner = factory.SubFactory(PartnerFactory)


class AnnexConventionFactory(ContractDataFactory):
    class Meta:
        model = AnnexConvention

    contract = factory.SubFactory(ContractFactory)
    title = "Convention annexe"
    start_year = 2014
    end_year = 2014


class AimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Aim
        django_get_or_create = ["number"]

    number = factory.Sequence(lambda n: n + 1)
    label = factory.Sequence(lambda n: f"Finalité {n + 1}")
    description = "Finalité de la CDAJE"


class ObjectiveFactory(ContractDataFactory):
    class Meta:
        model = Objective

    contract = factory.SubFactory(ContractFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Objectif de test {n + 1}")


class FicheFactory(ContractDataFactory):
    class Meta:
        model = Fiche

    objective = factory.SubFactory(ObjectiveFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Fiche de test {n + 1}")
    findings = "<p>Constat.</p>"
    status = FicheStatus.DRAFT

    class Params:
        validated = factory.Trait(
            status=FicheStatus.VALIDATED, validated_on=datetime.date(2014, 2, 11)
        )
        submitted = factory.Trait(status=FicheStatus.SUBMITTED)


class BudgetPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetPost
        django_get_or_create = ["code"]

    code = "coordination"
    label = "Coordination"
    instrument = Instrument.CEJ

    class Params:
        communication = factory.Trait(code="communication", label="Communication")
        annex = factory.Trait(
            code="accueil-enfants-handicapes",
            label="Dispositif d'accueil d'enfants handicapés dans les crèches",
            instrument=Instrument.ANNEX,
        )


class BudgetLineFactory(ContractDataFactory):
    class Meta:
        model = BudgetLine

    contract = factory.SubFactory(ContractFactory)
    year = 2014
    post = factory.SubFactory(BudgetPostFactory)
    amount = Decimal("10000.00")


class ContributionFactory(ContractDataFactory):
    contract_id_of = staticmethod(lambda row: row.line.contract_id)

    class Meta:
        model = Contribution

    line = factory.SubFactory(BudgetLineFactory)
    partner = factory.SubFactory(PartnerFactory)
    amount = Decimal("10000.00")


class ExecutionEntryFactory(ContractDataFactory):
    contract_id_of = staticmethod(lambda row: row.line.contract_id)

    class Meta:
        model = ExecutionEntry

    line = factory.SubFactory(BudgetLineFactory)
    kind = "commitment"
    date = datetime.date(2014, 10, 15)
    amount = Decimal("1000.00")


class FundingTermsFactory(ContractDataFactory):
    """A funder's terms, written directly: the lines' stored forecast shares are NOT
    recomputed (`financing.cycle_services.funding_terms_save` does that). The demo's CEJ
    rates by default; `annex=True` for the annex convention's."""

    class Meta:
        model = FundingTerms

    contract = factory.SubFactory(ContractFactory)
    instrument = Instrument.CEJ
    funder = factory.SubFactory(PartnerFactory)
    share = Decimal("100.00")
    rate_new = Decimal("55.00")
    rate_continued = Decimal("60.00")
    ceiling = Decimal("100000.00")

    class Params:
        annex = factory.Trait(
            instrument=Instrument.ANNEX,
            rate_new=Decimal("50.00"),
            rate_continued=Decimal("50.00"),
            ceiling=Decimal("40000.00"),
        )


class PaymentScheduleFactory(ContractDataFactory):
    """The demo's schedule by default: documents by 30 April and the balance by
    30 September N+1; `advances=[(percent, day, month), …]`, by default one of 70 % by
    30 June."""

    class Meta:
        model = PaymentSchedule
        skip_postgeneration_save = True

    contract = factory.SubFactory(ContractFactory)
    funder = factory.SubFactory(PartnerFactory)
    documents_due_day = 30
    documents_due_month = 4
    balance_due_day = 30
    balance_due_month = 9

    @factory.post_generation
    def advances(self, create, extracted, **kwargs):
        if not create:
            return
        for number, (percent, day, month) in enumerate(
            extracted if extracted is not None else [(Decimal("70.00"), 30, 6)], start=1
        ):
            Advance.objects.create(
                schedule=self, number=number, percent=percent, due_day=day, due_month=month
            )


class FunderPaymentFactory(ContractDataFactory):
    """An advance received by default; `balance=True`, `refund=True` (a reversement)."""

    class Meta:
        model = FunderPayment

    contract = factory.SubFactory(ContractFactory, signed=True)
    funder = factory.SubFactory(PartnerFactory)
    year = 2014
    kind = FunderPaymentKind.ADVANCE
    amount = Decimal("1000.00")
    received_on = datetime.date(2014, 11, 14)
    reference = factory.Sequence(lambda n: f"Mandat 2014-{n + 1:04d}")

    class Params:
        balance = factory.Trait(
            kind=FunderPaymentKind.BALANCE, received_on=datetime.date(2015, 9, 22)
        )
        refund = factory.Trait(
            kind=FunderPaymentKind.REFUND,
            received_on=datetime.date(2015, 10, 14),
            reference=factory.Sequence(lambda n: f"Ordre de reversement OR-2015-{n + 1:04d}"),
        )


class SupportingDocumentFactory(ContractDataFactory):
    class Meta:
        model = SupportingDocument

    contract = factory.SubFactory(ContractFactory, signed=True)
    funder = factory.SubFactory(PartnerFactory)
    year = 2014
    kind = SupportingDocumentKind.ACTUAL_FIGURES
    received_on = datetime.date(2015, 4, 24)


def role_groups_in_sync() -> dict:
    """The role groups as `roles.sync_groups()` leaves them, read in three queries when they
    already have exactly their permissions, as in the demo world; otherwise
    `roles.sync_groups()` itself. It looks each permission up on its own (some eighty
    queries): called for every user the factory creates, it was most of many tests' set-up."""
    from django.contrib.auth.models import Group, Permission

    wanted_codes = {name: set(codes) for name, codes in roles.GROUP_PERMISSIONS.items()}
    apps = {code.split(".")[0] for codes in wanted_codes.values() for code in codes}
    known = {
        f"{app_label}.{codename}": pk
        for app_label, codename, pk in Permission.objects.filter(
            content_type__app_label__in=apps
        ).values_list("content_type__app_label", "codename", "pk")
    }
    groups = {group.name: group for group in Group.objects.filter(name__in=wanted_codes)}
    current = {name: set() for name in groups}
    for name, pk in Group.permissions.through.objects.filter(
        group__name__in=wanted_codes
    ).values_list("group__name", "permission_id"):
        current[name].add(pk)
    in_sync = set(groups) == set(wanted_codes) and all(
        all(code in known for code in codes) and current[name] == {known[c] for c in codes}
        for name, codes in wanted_codes.items()
    )
    return groups if in_sync else roles.sync_groups()


class UserFactory(factory.django.DjangoModelFactory):
    """Roles as traits; scope through `territory=` (staff) or `partner=` (partner users)."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Test{n}")
    password = factory.django.Password("mot-de-passe-de-test")

    # Role group names; a plain declaration (popped in _create) so that traits can set it.
    role_groups: tuple[str, ...] = ()

    class Params:
        cdaje = factory.Trait(role_groups=(roles.CDAJE_STAFF, roles.CDAJE_COORDINATOR))
        cdaje_writer = factory.Trait(role_groups=(roles.CDAJE_STAFF,))
        finance = factory.Trait(role_groups=(roles.FINANCE_OFFICER,))
        partner_user = factory.Trait(role_groups=(roles.PARTNER_USER,))
        admin = factory.Trait(is_superuser=True, is_staff=True)

    @classmethod
    def _create(cls, model_class, *args, role_groups=(), **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        if role_groups:
            groups = role_groups_in_sync()
            user.groups.set([groups[name] for name in role_groups])
        return user

    @factory.post_generation
    def territory(self, create, extracted, **kwargs):
        if create and extracted:
            extracted.staff.add(self)

    @factory.post_generation
    def partner(self, create, extracted, **kwargs):
        if create and extracted:
            extracted.members.add(self)
