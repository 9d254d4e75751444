"""Budget lines and their financing plan as the API shows them. Money is a decimal string
(`"198000.00"`), never a float; dates ISO 8601. The figures are the budget pages' own: each
line's plan is `financing.cycle_selectors.line_plan` (what the budget report and the
actuals page show), a year's plan `financing.selectors.budget_report`; nothing is computed
here but their presentation. The serializers render plain dicts built by
`api.financing_rows`."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def choice(values, **kwargs):
    """A string among `values`, described inline in the schema (no shared enum component:
    a field named `kind` means different things in different resources)."""
    field = serializers.CharField(**kwargs)
    return extend_schema_field({"type": "string", "enum": list(values)})(field)


def money(**kwargs):
    # Sums over a period may exceed a single amount's 12 digits: 15 leaves room.
    return serializers.DecimalField(max_digits=15, decimal_places=2, **kwargs)


class PsejShareSerializer(serializers.Serializer):
    funder = serializers.CharField(help_text="Identifiant (slug) du financeur.")
    funder_name = serializers.CharField()
    amount = money()


class PlanSerializer(serializers.Serializer):
    """Plan de financement : dépenses, autres recettes, reste à charge, PSEJ de chaque
    financeur à son taux dans son plafond, part du bénéficiaire."""

    expenses = money(help_text="Dépenses.")
    other_receipts = money(help_text="Autres recettes (hors PSEJ).")
    net_cost = money(help_text="Reste à charge.")
    psej = PsejShareSerializer(many=True, help_text="PSEJ de chaque financeur.")
    psej_total = money()
    beneficiary_share = money(help_text="Part du bénéficiaire.")


class LinePlanSerializer(serializers.Serializer):
    forecast = PlanSerializer(help_text="Plan de financement prévisionnel.")
    actual = PlanSerializer(
        allow_null=True, help_text="Plan de financement réalisé ; null tant que non déclaré."
    )


class ExecutionEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = choice(["commitment", "payment"])
    kind_label = serializers.CharField()
    date = serializers.DateField()
    amount = money()
    reference = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(allow_null=True)


class BudgetLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="« 2015 — Coordination — fiche 12 — libellé ».")
    year = serializers.IntegerField()
    part = choice(["cej", "annex"], help_text="CEJ lui-même ou convention annexe.")
    part_label = serializers.CharField()
    post = serializers.CharField(help_text="Code du poste.")
    post_label = serializers.CharField()
    fiche = serializers.IntegerField(allow_null=True, help_text="Numéro de la fiche financée.")
    fiche_title = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    continued = serializers.BooleanField(help_text="Action antérieure (reconduite).")
    planned = money(help_text="Montant prévu (dépenses prévues).")
    other_receipts = money(help_text="Autres recettes prévues.")
    actual_expenses = money(allow_null=True)
    actual_receipts = money(allow_null=True)
    actuals_declared = serializers.BooleanField()
    committed = money()
    paid = money()
    plan = LinePlanSerializer()
    entries = ExecutionEntrySerializer(many=True, help_text="Engagements et paiements.")
    version = serializers.IntegerField(
        help_text="Version de la ligne : à renvoyer avec une écriture (verrou optimiste)."
    )
    updated_at = serializers.DateTimeField()
    updated_by = serializers.CharField(allow_null=True)
    api_url = serializers.URLField()
    versions_url = serializers.URLField()
    actual_url = serializers.URLField()
    url = serializers.URLField(help_text="Historique de la ligne dans l'application.")


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class BudgetLineVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = choice(["created", "changed", "deleted"])
    kind_label = serializers.CharField()
    action = serializers.CharField()
    author = serializers.CharField(help_text="« Quelqu'un » quand le compte n'existe plus.")
    created_at = serializers.DateTimeField()
    amendment = serializers.IntegerField(
        allow_null=True, help_text="Numéro de l'avenant qui a fait ce changement."
    )
    label = serializers.CharField()
    snapshot = serializers.JSONField()
    changes = FieldChangeSerializer(many=True, help_text="Ce que la version a changé.")


class PlanYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(allow_null=True, help_text="null pour la période entière.")
    envelope = money(help_text="Enveloppe annuelle (ou de la période).")
    allocated = money(help_text="Prévu sur les lignes.")
    remainder = money(help_text="Reste à allouer (négatif : dépassement).")
    committed = money()
    paid = money()
    lines = serializers.IntegerField()
    declared = serializers.IntegerField(help_text="Lignes dont le réalisé est déclaré.")
    complete = serializers.BooleanField(help_text="Toutes les lignes sont déclarées.")
    forecast = PlanSerializer()
    actual = PlanSerializer(
        allow_null=True, help_text="Sur les lignes déclarées ; null si aucune ne l'est."
    )


class ShareSerializer(serializers.Serializer):
    funder = serializers.CharField(allow_null=True, help_text="null : part du bénéficiaire.")
    label = serializers.CharField()
    forecast = money()
    actual = money(allow_null=True, help_text="null tant que tout n'est pas déclaré.")


class FinancingPlanSerializer(serializers.Serializer):
    contract = serializers.CharField()
    annual_envelope = money()
    years = PlanYearSerializer(many=True)
    period = PlanYearSerializer(help_text="La période entière, ou l'année demandée.")
    shares = ShareSerializer(
        many=True, help_text="« Financement prévisionnel » : PSEJ et part du bénéficiaire."
    )
    overruns = serializers.ListField(child=serializers.CharField())
