"""What a request knows about its user (cej.auth_backends.load_viewer), the contract scope
built on it, and the contracts list's pages."""

import itertools

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission, User

from cej.auth_backends import load_viewer
from cej.models import Contract, Territory
from cej.permissions import can_see_contract
from partners.models import Partner
from tests.factories import ContractFactory


@pytest.fixture
def people(demo):
    """The demo's accounts plus the odd cases: a permission given to the user directly, a
    member of two partners, staff of a territory with no contract, an inactive agent."""
    direct = User.objects.create_user("direct")
    direct.user_permissions.add(Permission.objects.get(codename="add_fiche"))
    twice = User.objects.create_user("twice")
    for partner in Partner.objects.filter(slug__in=["caf42", "msa-adl"]):
        partner.members.add(twice)
    elsewhere = User.objects.create_user("elsewhere")
    Territory.objects.create(code="43", name="Haute-Loire").staff.add(elsewhere)
    inactive = User.objects.create_user("inactive", is_active=False)
    Territory.objects.get(code="42").staff.add(inactive)
    return list(User.objects.order_by("username"))


def fresh(user):
    return User.objects.get(pk=user.pk)


def test_permissions_are_djangos(people):
    for user in people:
        expected = ModelBackend().get_all_permissions(fresh(user))
        assert fresh(user).get_all_permissions() == expected, user.username


def test_territories_and_partners_are_read_in_one_query(people, django_assert_num_queries):
    user = fresh(User.objects.get(username="twice"))
    with django_assert_num_queries(1):
        load_viewer(user)
        user.get_all_permissions()
        load_viewer(user)
    assert user._cej_partner_ids == set(
        Partner.objects.filter(slug__in=["caf42", "msa-adl"]).values_list("pk", flat=True)
    )
    assert user._cej_territory_ids == set()


def test_one_contract_and_the_contract_queryset_agree(people):
    ContractFactory(territory=Territory.objects.get(code="43"))
    contracts = list(Contract.objects.all())
    for user, contract in itertools.product(people, contracts):
        listed = Contract.objects.for_user(fresh(user)).filter(pk=contract.pk).exists()
        assert can_see_contract(fresh(user), contract) == listed, (user.username, contract.slug)


def test_the_contracts_list_has_pages(client, demo, demo_user):
    territory = Territory.objects.get(code="42")
    # 12 more contracts: 15 in all with the demo's three (2010–2013, 2014–2017, 2018–2021)
    for year in range(2030, 2078, 4):
        ContractFactory(territory=territory, start_year=year, end_year=year + 3)
    client.force_login(demo_user("cdaje"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("pilotage.views.CONTRACTS_PER_PAGE", 5)
        first = client.get("/contracts/").content.decode()
        third = client.get("/contracts/?page=3").content.decode()
        wrong = client.get("/contracts/?page=zéro").content.decode()
        beyond = client.get("/contracts/?page=9").content.decode()
    assert "15 contrats · page 1 sur 3" in first
    assert 'href="?page=2"' in first and "Page suivante" in first
    assert "15 contrats · page 3 sur 3" in third
    assert third.count('class="card"') == 5
    assert "« zéro » n&#x27;est pas un numéro de page : la première page est affichée." in wrong
    assert "La page « 9 » n&#x27;existe pas (3 pages)" in beyond
    assert "page 1 sur 3" in wrong and "page 1 sur 3" in beyond


def test_the_contracts_list_filters_by_territory_status_and_title(client, demo, demo_user):
    haute_loire = Territory.objects.create(code="43", name="Haute-Loire")
    ContractFactory(territory=haute_loire, title="Contrat de la Haute-Loire 2014–2017")
    ContractFactory(territory=haute_loire, title="Contrat de la Haute-Loire 2018–2021", signed=True)
    client.force_login(demo_user("admin"))
    everything = client.get("/contracts/").content.decode()
    assert "5 contrats" in everything and 'name="territory"' in everything
    only = client.get(f"/contracts/?territory={haute_loire.pk}").content.decode()
    assert "2 contrats correspondent aux filtres" in only
    assert "de la Loire 2014–2017" not in only
    signed = client.get(f"/contracts/?territory={haute_loire.pk}&status=signed").content
    assert "1 contrat correspond aux filtres" in signed.decode()
    assert "2018–2021" in signed.decode() and "Haute-Loire 2014–2017" not in signed.decode()
    found = client.get("/contracts/?q=haute-loire 2018").content.decode()
    assert "1 contrat correspond aux filtres" in found
    nothing = client.get("/contracts/?q=Creuse").content.decode()
    assert "Aucun contrat ne correspond à ces filtres." in nothing
    wrong = client.get("/contracts/?territory=99999&status=perdu").content.decode()
    assert "Territoire : Ce territoire n&#x27;est pas parmi les vôtres." in wrong
    assert "Statut : Sélectionnez un choix valide." in wrong
    assert "5 contrats" in wrong  # invalid filters are not applied
    partly = client.get("/contracts/?territory=abc&q=2018").content.decode()
    # The valid one is: the Haute-Loire's 2018–2021 and the Loire's (the demo's successor).
    assert "2 contrats correspondent aux filtres" in partly


def test_staff_of_one_territory_get_no_filters(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    assert 'name="territory"' not in client.get("/contracts/").content.decode()
