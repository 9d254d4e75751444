"""The header row of an imported budget file, matched against the layout
(`financing.resources`): which column holds which field, which columns the import reads,
which it recomputes or leaves aside (the computed forecast shares, the actual figures), and
the previous layout — where each partner's contribution was typed — refused with what
changed. Used by `financing.imports`."""

from django.utils.translation import gettext as _

from financing.cells import is_blank, shown
from financing.import_checks import Issue
from financing.resources import ACTUAL, COMPUTED, INFO, OLD_CONTRIBUTION_PREFIX


def normalize(text) -> str:
    return " ".join(str(text).replace("\u00a0", " ").replace("\u202f", " ").split()).casefold()


def _is_old_contribution(normalized: str) -> bool:
    prefix = normalize(OLD_CONTRIBUTION_PREFIX) + " "
    return normalized.startswith(prefix) and normalized.endswith("(€)")


def _quoted(names) -> str:
    return ", ".join(f"« {name} »" for name in names)


def old_layout_issue(old_headers: list[str], missing: list[str]) -> Issue:
    """The previous layout typed each partner's contribution; they are computed now."""
    message = _(
        "Ce classeur suit l'ancienne mise en page : les colonnes de contributions par "
        "partenaire (%(old)s) n'existent plus ; la PSEJ de chaque financeur et la part du "
        "bénéficiaire sont désormais calculées d'après le prévu, les autres recettes prévues "
        "et les conditions de financement du contrat. Supprimez ces colonnes"
    ) % {"old": _quoted(old_headers)}
    if missing:
        message += _(" et ajoutez les colonnes %(missing)s") % {"missing": _quoted(missing)}
    message += _(", ou repartez de l'export actuel du budget.")
    return Issue(message, rows=(1,), columns=tuple(old_headers))


def map_headers(headers, resource, plan) -> dict[str, int]:
    """Field name → column index. Informative, computed and actual columns may be left out
    (the last two are listed on the plan when present: the preview says they are not read);
    unknown columns are ignored (and listed); the previous layout is refused."""
    expected = {normalize(col.column_name): name for name, col in resource.named_columns()}
    found: dict[str, int] = {}
    old_headers: list[str] = []
    for index, header in enumerate(headers):
        if is_blank(header):
            continue
        normalized = normalize(header)
        name = expected.get(normalized)
        if name is None:
            if _is_old_contribution(normalized):
                old_headers.append(shown(header))
            else:
                plan.ignored_columns.append(shown(header))
        elif name in found:
            plan.errors.append(
                Issue(
                    _("cette colonne figure deux fois dans la ligne d'en-tête."),
                    rows=(1,),
                    columns=(shown(header),),
                )
            )
        else:
            found[name] = index
            role = resource.fields[name].role
            if role == COMPUTED:
                plan.recomputed_columns.append(resource.fields[name].column_name)
            elif role == ACTUAL:
                plan.actual_columns.append(resource.fields[name].column_name)
    missing = [
        column.column_name
        for name, column in resource.named_columns()
        if column.role not in (INFO, COMPUTED, ACTUAL) and name not in found
    ]
    if old_headers:
        plan.errors.append(old_layout_issue(old_headers, missing))
        return found
    for header in missing:
        plan.errors.append(
            Issue(
                _(
                    "colonne absente de la ligne d'en-tête : elle est obligatoire (reprenez "
                    "la présentation de l'export)."
                ),
                rows=(1,),
                columns=(header,),
            )
        )
    return found
