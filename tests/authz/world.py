"""The viewers of the matrix and the world they look at: the Loire demo as `load_demo` leaves
it (signed, its documents sealed, avenant n° 1 signed, n° 2 open), the Loire's next contract
still in preparation (the demo's successor, made by the renewal service), a Rhône contract
with its own staff and partner, and what the rows need.

Two Loire contracts because a signed contract's content changes only through an avenant:
the rows that prove who may edit a fiche or the budget write to the one in preparation;
the rows marked `[signed]` prove that on the signed one nobody may, and are told the
avenant route. Reading, documents, signatures and execution (commitments, payments) are
the signed contract's."""

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
# Viewers for whom the Loire contracts do not exist: not a word of them may reach them.
OUT_OF_SCOPE = ("outsider", "elsewhere")
DEMO_ACCOUNT = {"cdaje": "cdaje", "finance": "finance", "partner": "partner-caf", "admin": "admin"}
PASSWORD = "demo"
RHONE_SLUG = "cej-rhone-2015-2018"
NEXT_SLUG = "cej-loire-2018-2021"


@dataclass
class World:
    contract: object  # the Loire demo contract, signed, with its sealed documents
    preparation: object  # the Loire's next contract (2018–2021), in preparation
    users: dict  # viewer → user (None for anonymous)
    sessions: dict  # viewer → session key, logged in once for the module
    # The contract in preparation's: n° 3 reopened for revision, with later versions than
    # its first; n° 1 validated in plenary; a line with room.
    fiche: object
    validated_fiche: object
    line: object
    # The signed contract's: fiche n° 4, revised by avenant n° 1 (its version 1 is the text
    # as first signed); its 2017 communication line, nothing committed on it yet.
    signed_fiche: object
    signed_line: object
    document: object  # the sealed signed contract
    signature: object
    amendment: object  # avenant n° 1, signed and sealed
    open_amendment: object  # avenant n° 2, in preparation
    workbook: bytes  # the budget export of the contract in preparation, one label changed

    @property
    def slug(self) -> str:
        return self.contract.slug

    @property
    def loire(self) -> tuple:
        """The contracts out-of-scope viewers must never learn of."""
        return (self.contract, self.preparation)


def build_world(demo_world, sealed_world) -> World:
    """On the session's demo (tests/conftest.py), with its sealed documents replayed into
    the storage in force."""
    from django.contrib.auth import get_user_model

    from cej.models import Amendment, Document, DocumentKind, Signature
    from fiches.models import Fiche

    contract = demo_world.result().contract
    sealed_world.apply()
    User = get_user_model()
    users = {viewer: User.objects.get(username=name) for viewer, name in DEMO_ACCOUNT.items()}
    users.update(_rhone())
    users[FLAGGED] = _flagged_agent(contract)
    preparation = _next_contract(contract)
    fiches = _fiches_in_preparation(preparation, users["cdaje"])
    _room_in_first_years(preparation, users["finance"])
    document = Document.objects.get(contract=contract, kind=DocumentKind.SIGNED_CONTRACT)
    _admin_rows(document)
    _document_not_yet_received(contract)
    sessions = {}
    for viewer, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[viewer] = client.cookies[settings.SESSION_COOKIE_NAME].value
    users["anonymous"] = None
    return World(
        contract=contract,
        preparation=preparation,
        users=users,
        sessions=sessions,
        fiche=fiches[3],
        validated_fiche=fiches[1],
        line=_line_with_room(preparation, fiches[1], users["finance"]),
        signed_fiche=Fiche.objects.get(contract=contract, number=4),
        signed_line=_line_not_yet_committed(contract, users["finance"]),
        document=document,
        signature=Signature.objects.filter(contract=contract).order_by("pk").first(),
        amendment=Amendment.objects.get(contract=contract, number=1),
        open_amendment=Amendment.objects.get(contract=contract, number=2),
        workbook=_edited_export(preparation),
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


def _next_contract(signed):
    """The Loire's next contract, 2018–2021, as the demo leaves it: prepared from the signed
    one by « Préparer le contrat suivant » (demo/loire_renewal.py), its fiches drafts, its
    budget the last year's lines carried as a starting plan."""
    from cej.models import Contract

    contract = Contract.objects.get(slug=NEXT_SLUG)
    assert contract.predecessor_id == signed.pk, "the demo's successor is the Loire's next one"
    return contract


def _fiches_in_preparation(contract, cdaje) -> dict:
    """Its first three fiches (drafts carried over), moved through the services as the CDAJE
    works on them: n° 1 validated in plenary, n° 2 a draft, n° 3 validated then reopened for
    revision and revised."""
    from fiches import services
    from fiches.models import Fiche

    fiches = {f.number: f for f in Fiche.objects.filter(contract=contract, number__in=(1, 2, 3))}
    plenary = datetime.date(2017, 12, 12)
    for number in (1, 3):
        services.fiche_transition(fiche=fiches[number], name="submit", by=cdaje)
        fiches[number] = services.fiche_transition(
            fiche=fiches[number], name="validate", by=cdaje, plenary_date=plenary
        )
    fiche = services.fiche_transition(fiche=fiches[3], name="reopen", by=cdaje)
    fiches[3] = services.fiche_update(
        fiche=fiche,
        changes={"title": f"{fiche.title} (révisée)"},
        associated_partners=list(fiche.associated_partners.all()),
        aims=list(fiche.aims.all()),
        expected_version=fiche.version,
        by=cdaje,
    )
    return fiches


def _room_in_first_years(contract, finance) -> None:
    """The starting plan fills each year's envelope: its first two years' lines go, through
    the budget service, so that the rows can plan new ones there."""
    from financing import services
    from financing.models import BudgetLine

    first_years = (contract.start_year, contract.start_year + 1)
    for line in BudgetLine.objects.filter(contract=contract, year__in=first_years):
        services.budget_line_delete(line=line, by=finance)


def _line_with_room(contract, fiche, finance):
    """A planned line nothing is committed on: it can be changed, and deleted."""
    from financing import services
    from financing.models import BudgetLine, BudgetPost

    return services.budget_line_save(
        line=BudgetLine(
            contract=contract,
            year=contract.start_year,
            post=BudgetPost.objects.get(code="coordination"),
            fiche=fiche,
            label="Ligne de la matrice",
            amount=Decimal("10000.00"),
        ),
        by=finance,
    )


def _line_not_yet_committed(contract, finance):
    """The demo commits and pays every line: its 2017 communication line goes back to before
    its execution (payments, then commitments, deleted through the service), so that a
    commitment can be recorded on it, and its deletion be refused for the signature alone."""
    from financing import services
    from financing.models import BudgetLine

    line = BudgetLine.objects.get(contract=contract, year=2017, post__code="communication")
    for entry in line.entries.order_by("-kind", "-pk"):  # « payment » after « commitment »
        services.execution_entry_delete(entry=entry, by=finance)
    return BudgetLine.objects.get(pk=line.pk)


def _document_not_yet_received(contract) -> None:
    """The demo's beneficiary sent every supporting document: the CAF's activity data of the
    first year goes back to not received, so that recording it can be tried by everyone."""
    from financing.models import SupportingDocument

    SupportingDocument.objects.filter(
        contract=contract, funder__slug="caf42", year=contract.start_year, kind="activity"
    ).delete()


def _admin_rows(document) -> None:
    """The admin's change pages need a row of each model the demo lacks."""
    from axes.models import AccessAttempt, AccessFailureLog

    from cej.models import DocumentDownload

    DocumentDownload.objects.create(document=document, user=None, username="partner-caf")
    seen = {"username": "partner-caf", "ip_address": "127.0.0.1", "user_agent": "matrice"}
    seen.update(http_accept="*/*", path_info="/accounts/login/")
    AccessFailureLog.objects.create(**seen)
    AccessAttempt.objects.create(**seen, get_data="", post_data="", failures_since_start=1)
    # A personal access token (its admin lists and revokes them; none in the demo).
    from django.contrib.auth import get_user_model

    from api.tokens import create_token

    owner = get_user_model().objects.get(username="partner-caf")
    expires = datetime.date.today() + datetime.timedelta(days=30)
    create_token(user=owner, name="Outil de la CAF", expires_on=expires)


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
