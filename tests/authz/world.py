"""The viewers of the matrix and the world they look at: the Loire demo with its sealed
documents, a Rhône contract with its own staff and partner, and what the rows need."""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module

from django.conf import settings
from django.test import Client

VIEWERS = ("anonymous", "cdaje", "finance", "partner", "outsider", "elsewhere", "admin")
# For the admin only: a Loire agent someone gave the staff flag (« Statut équipe »).
FLAGGED = "flagged"
# Viewers for whom the Loire contract does not exist: not a word of it may reach them.
OUT_OF_SCOPE = ("outsider", "elsewhere")
DEMO_ACCOUNT = {"cdaje": "cdaje", "finance": "finance", "partner": "partner-caf", "admin": "admin"}
PASSWORD = "demo"
RHONE_SLUG = "cej-rhone-2015-2018"


@dataclass
class World:
    contract: object  # the Loire demo contract, signed, with its sealed documents
    users: dict  # viewer → user (None for anonymous)
    sessions: dict  # viewer → session key, logged in once for the module
    fiche: object  # n° 3, reopened for revision, with a second version
    validated_fiche: object  # n° 1
    document: object  # the sealed signed contract
    signature: object
    amendment: object  # n° 1, signed, not sealed yet
    line: object  # a 2015 line with room, nothing committed on it
    workbook: bytes  # the budget export with one label changed

    @property
    def slug(self) -> str:
        return self.contract.slug


def build_world(demo_world, sealed_world) -> World:
    """On the session's demo (tests/conftest.py), with its sealed documents replayed into
    the storage in force."""
    from django.contrib.auth import get_user_model

    from cej.models import Document, DocumentKind, Signature
    from fiches.models import Fiche

    contract = demo_world.result().contract
    sealed_world.apply()
    User = get_user_model()
    users = {viewer: User.objects.get(username=name) for viewer, name in DEMO_ACCOUNT.items()}
    users.update(_rhone())
    users[FLAGGED] = _flagged_agent(contract)
    fiche = _fiche_in_revision(contract, users["cdaje"])
    document = Document.objects.get(contract=contract, kind=DocumentKind.SIGNED_CONTRACT)
    _admin_rows(document)
    sessions = {}
    for viewer, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[viewer] = client.cookies[settings.SESSION_COOKIE_NAME].value
    users["anonymous"] = None
    return World(
        contract=contract,
        users=users,
        sessions=sessions,
        fiche=fiche,
        validated_fiche=Fiche.objects.get(contract=contract, number=1),
        document=document,
        signature=Signature.objects.filter(contract=contract).order_by("pk").first(),
        amendment=_signed_amendment(contract),
        line=_line_with_room(contract, users["finance"]),
        workbook=_edited_export(contract),
    )


def _rhone() -> dict:
    """Someone holding every staff role in another département, and a member of a partner
    party to the Rhône contract only: scope alone must keep the Loire contract from them."""
    from cej import roles
    from tests.factories import ContractFactory, PartnerFactory, TerritoryFactory, UserFactory

    rhone = TerritoryFactory(code="69", name="Rhône")
    partner = PartnerFactory(name="CAF du Rhône", short_name="CAF 69", slug="caf69")
    ContractFactory(
        territory=rhone,
        slug=RHONE_SLUG,
        title="Contrat enfance jeunesse du Rhône 2015–2018",
        partners=[partner],
    )
    users = {
        "outsider": UserFactory(username="partner-rhone", partner_user=True, partner=partner),
        "elsewhere": UserFactory(
            username="staff-rhone",
            role_groups=(roles.CDAJE_STAFF, roles.CDAJE_COORDINATOR, roles.FINANCE_OFFICER),
            territory=rhone,
        ),
    }
    for user in users.values():
        user.set_password(PASSWORD)
        user.save()
    return users


def _flagged_agent(contract):
    """Every staff role of the Loire and the staff flag: the admin is not scoped to a
    territory, so the flag alone must not open it."""
    from cej import roles
    from tests.factories import UserFactory

    return UserFactory(
        username="staff-flag-loire",
        role_groups=(roles.CDAJE_STAFF, roles.CDAJE_COORDINATOR, roles.FINANCE_OFFICER),
        territory=contract.territory,
        is_staff=True,
    )


def _fiche_in_revision(contract, cdaje):
    from fiches import services
    from fiches.models import Fiche, FicheStatus

    fiche = Fiche.objects.get(contract=contract, number=3)
    Fiche.objects.filter(pk=fiche.pk).update(status=FicheStatus.REOPENED, validated_on=None)
    fiche.refresh_from_db()
    return services.fiche_update(
        fiche=fiche,
        changes={"title": f"{fiche.title} (révisée)"},
        associated_partners=fiche.associated_partners.all(),
        aims=fiche.aims.all(),
        expected_version=fiche.version,
        by=cdaje,
    )


def _signed_amendment(contract):
    from cej.models import Amendment

    return Amendment.objects.create(
        contract=contract,
        annex_convention=contract.annex_conventions.first(),
        number=1,
        title="Prolongation de la convention annexe",
        new_end_year=2015,
        signed_on=datetime.date(2015, 3, 2),
    )


def _line_with_room(contract, finance):
    """Every demo line is fully committed: this one can take an entry and be deleted."""
    from fiches.models import Fiche
    from financing import services
    from financing.models import BudgetLine, BudgetPost
    from partners.models import Partner

    return services.budget_line_save(
        line=BudgetLine(
            contract=contract,
            year=2015,
            post=BudgetPost.objects.get(code="coordination"),
            fiche=Fiche.objects.get(contract=contract, number=1),
            label="Ligne de la matrice",
            amount=Decimal("10000.00"),
        ),
        contributions={Partner.objects.get(slug="caf42"): Decimal("10000.00")},
        by=finance,
    )


def _admin_rows(document) -> None:
    """The admin's change pages need a row of each model the demo lacks."""
    from axes.models import AccessAttempt, AccessFailureLog

    from cej.models import DocumentDownload

    DocumentDownload.objects.create(document=document, user=None, username="partner-caf")
    seen = {"username": "partner-caf", "ip_address": "127.0.0.1", "user_agent": "matrice"}
    seen.update(http_accept="*/*", path_info="/accounts/login/")
    AccessFailureLog.objects.create(**seen)
    AccessAttempt.objects.create(**seen, get_data="", post_data="", failures_since_start=1)


def _edited_export(contract) -> bytes:
    from openpyxl import load_workbook

    from financing.exports import build_xlsx

    workbook = load_workbook(io.BytesIO(build_xlsx(contract)))
    workbook["Lignes budgétaires"]["G2"] = "Libellé changé par l'import"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def log_in(client, world: World, viewer: str) -> None:
    if viewer != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[viewer]


def session_data(client) -> dict | None:
    """The client's session as stored (None without one)."""
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if cookie is None or not cookie.value:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(cookie.value)
    return {"key": cookie.value, **store.load()}
