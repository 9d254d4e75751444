"""Scale data: a national set of contracts for benchmarks and load tests.

One generated territory per French département (all 101 but the Loire, kept for the demo),
each with its partners (Conseil départemental, CAF, an MSA caisse shared by three
consecutive départements), their signatories, staff and partner accounts, and a chain of
successive four-year contracts with their objectives, 14 fiches and their version history,
the funders' terms and payment schedules, budget lines with their financing plan and
forecast split (the PSEJ of the CAF and the MSA, the Conseil départemental's own share),
commitments and payments, actual figures, the funders' payments and the supporting
documents received, the fiches' indicators (targets and actual values), an adopted annual
review per year and the final evaluation, and a scanned signed original. The chains stay
within the years CEJs existed (2006 to 2021 at the latest): today being late 2026, every
generated contract has ended. Texts come from the Loire demo; names,
amounts and dates are illustrative and drawn from a seeded generator, so two runs with the
same seed produce the same data.

The rows are written with bulk inserts, one transaction per territory, and satisfy the same
rules as the services that write them one by one (envelope per year, shares adding up to
the net cost, paid ≤ committed ≤ planned, annex lines within an annex convention…). A
territory whose code already exists is never touched, and the Loire demo's "42" is never
generated.

Stable interface (load tests depend on it): contract slugs `scale-<code>-<start>-<end>`,
usernames `scale-<code>-cdaje`, `scale-<code>-cdaje2`, `scale-<code>-finance`,
`scale-<code>-cg`, `scale-<code>-caf` and `scale-msa-<n>`, codes in lowercase ("2a").

The package, one module per part of the data: `departements` (the 101 départements),
`people` (territory, partners, signatories, accounts), `contracts` (the contract chain,
parties and their roles, signatures, annex conventions, amendments), `fiches` (objectives,
fiches and their history), `budget` (lines, contributions, versions, commitments and
payments, actual figures), `cycle` (terms, schedules, forecast split, funders' payments and
supporting documents), `indicators` (targets and actuals per year), `reviews` (annual
reviews, needs and supply), `evaluations` (final evaluations), `documents`
(the scanned originals); `state` holds what they share, `core` the fixed parameters and
seeded draws, `run` the orchestration.
"""

from demo.scale.budget import ALWAYS_FUNDED, GENERAL_LINE_LABELS, SOMETIMES_FUNDED
from demo.scale.core import (
    AS_OF,
    BATCH,
    DEFAULT_SEED,
    DEMO_TERRITORY_CODE,
    MAX_CONTRACTS,
    MAX_TERRITORIES,
    YEARS_PER_CONTRACT,
    ScaleResult,
    check_arguments,
    msa_group,
    slug_for,
    username_for,
)
from demo.scale.departements import DEPARTEMENTS, Departement
from demo.scale.documents import scanned_original_pdf
from demo.scale.people import FIRST_NAMES, LAST_NAMES, illustrative_siret
from demo.scale.run import generate_scale_data

__all__ = [
    "ALWAYS_FUNDED",
    "AS_OF",
    "BATCH",
    "DEFAULT_SEED",
    "DEMO_TERRITORY_CODE",
    "DEPARTEMENTS",
    "FIRST_NAMES",
    "GENERAL_LINE_LABELS",
    "LAST_NAMES",
    "MAX_CONTRACTS",
    "MAX_TERRITORIES",
    "SOMETIMES_FUNDED",
    "YEARS_PER_CONTRACT",
    "Departement",
    "ScaleResult",
    "check_arguments",
    "generate_scale_data",
    "illustrative_siret",
    "msa_group",
    "scanned_original_pdf",
    "slug_for",
    "username_for",
]
