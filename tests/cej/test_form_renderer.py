"""cej.form_renderer builds inputs and selects in Python: on every form of the application,
blank and bound to wrong values, each field renders exactly as Django's templates render it,
and so does the whole form."""

import pytest
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from cej.form_renderer import FormRenderer
from cej.forms import ContractFilterForm, DepositForm, SignatureForm
from fiches.forms import FicheFilterForm, FicheForm, TransitionForm
from fiches.selectors import fiche_list
from financing.forms import BudgetLineForm, ExecutionEntryForm
from financing.forms_exchange import ImportUploadForm
from financing.models import BudgetLine, ExecutionEntry
from partners.models import Signatory

pytestmark = pytest.mark.django_db

HOSTILE = "<b>\"x\" & 'y'</b>"


def forms_of_the_application(contract, user):
    """(name, form builder) for every form the pages show, blank and bound."""
    line = BudgetLine.objects.filter(contract=contract).first()
    signatories = Signatory.objects.select_related("partner")
    bound_fiche_filters = {"q": HOSTILE, "objective": "abc", "status": "perdu", "aim": " 1"}

    def fiche_filters(data):
        form = FicheFilterForm(data, contract=contract)
        form.offer(fiche_list(contract, filters=form.filters()))
        return form

    return [
        ("contract filters", lambda: ContractFilterForm(None, territories=[(1, "Loire")])),
        (
            "contract filters, bound",
            lambda: ContractFilterForm(
                {"q": HOSTILE, "territory": "9", "status": "signed"},
                territories=[(1, "Loire"), (2, HOSTILE)],
            ),
        ),
        (
            "contract filters, a territory chosen among a hundred",
            lambda: ContractFilterForm(
                {"territory": "42"}, territories=[(n, f"Territoire {n}") for n in range(100)]
            ),
        ),
        ("fiche filters", lambda: fiche_filters(None)),
        ("fiche filters, bound", lambda: fiche_filters(bound_fiche_filters)),
        ("fiche", lambda: FicheForm(instance=contract.fiches.first(), contract=contract)),
        ("fiche, bound", lambda: FicheForm({"title": HOSTILE, "number": "x"}, contract=contract)),
        ("transition", lambda: TransitionForm()),
        ("signature", lambda: SignatureForm(signatories=signatories, default_place=HOSTILE)),
        (
            "signature, bound",
            lambda: SignatureForm(
                {"signatory": "0", "signed_on": "31/02", "place": ""}, signatories=signatories
            ),
        ),
        ("deposit", lambda: DepositForm(amendments=contract.amendments.all())),
        (
            "deposit, bound",
            lambda: DepositForm(
                {"kind": "amendment", "title": HOSTILE}, amendments=contract.amendments.all()
            ),
        ),
        ("budget line", lambda: BudgetLineForm(contract=contract, line=line)),
        (
            "budget line, bound",
            lambda: BudgetLineForm({"amount": "abc", "year": "1789"}, contract=contract),
        ),
        ("execution entry", lambda: ExecutionEntryForm(instance=ExecutionEntry(line=line))),
        (
            "execution entry, bound",
            lambda: ExecutionEntryForm({"kind": "x", "amount": "-1"}, instance=ExecutionEntry()),
        ),
        ("import", lambda: ImportUploadForm()),
        ("login", lambda: AuthenticationForm(data={"username": HOSTILE})),
        ("password change", lambda: PasswordChangeForm(user)),
    ]


def test_every_field_renders_as_djangos_templates_render_it(demo, demo_user):
    contract = demo.contract
    for name, build in forms_of_the_application(contract, demo_user("cdaje")):
        ours, django = build(), build()
        django.renderer = DjangoTemplates()
        assert isinstance(ours.renderer, FormRenderer), name
        for field in ours:
            assert str(field) == str(django[field.name]), (name, field.name)
        assert ours.as_div() == django.as_div(), name


def test_a_safe_label_or_value_stays_as_marked():
    from django import forms

    class Form(forms.Form):
        choice = forms.ChoiceField(choices=[(mark_safe("<i>a</i>"), mark_safe("<b>A</b>"))])
        text = forms.CharField(initial=mark_safe("<em>x</em>"))

    ours, django = Form(), Form()
    django.renderer = DjangoTemplates()
    for field in ours:
        assert str(field) == str(django[field.name])


def test_choices_offered_from_read_objects_are_those_of_the_queryset(
    demo, django_assert_num_queries
):
    """ReadModelChoiceField (the deposit form's amendments, the fiche list's filters): the
    options are the queryset's, without its query (the demo's avenants n° 1 and 2)."""
    amendments = demo.contract.amendments.order_by("number")
    queried = str(DepositForm(amendments=amendments)["amendment"])
    form = DepositForm(amendments=amendments, read_amendments=list(amendments))
    with django_assert_num_queries(0):
        offered = str(form["amendment"])
    assert offered == queried
    assert "Avenant n° 1" in offered and "Avenant n° 2" in offered


def test_a_quick_select_writes_what_djangos_select_writes():
    from django import forms

    from cej.form_renderer import QuickSelect

    choices = [("", "Tous"), (1, "Ain"), (2, HOSTILE), ("x", mark_safe("<b>B</b>")), (None, "?")]
    for value in (None, "", "1", 2, "x", "absent"):
        quick = QuickSelect(choices=choices).render("t", value, {"id": "id_t", "required": True})
        plain = forms.Select(choices=choices).render(
            "t", value, {"id": "id_t", "required": True}, renderer=DjangoTemplates()
        )
        assert quick == plain, value
