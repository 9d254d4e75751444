"""The contract domain's models, by sub-domain: contracts and their parties, signatures,
annex conventions and amendments; stored documents and their downloads."""

from cej.models.contracts import (
    YEAR_VALIDATORS,
    Amendment,
    AnnexConvention,
    Contract,
    ContractParty,
    ContractStatus,
    Signature,
    Territory,
)
from cej.models.documents import Document, DocumentDownload, DocumentKind, DownloadOutcome

__all__ = [
    "YEAR_VALIDATORS",
    "Amendment",
    "AnnexConvention",
    "Contract",
    "ContractParty",
    "ContractStatus",
    "Document",
    "DocumentDownload",
    "DocumentKind",
    "DownloadOutcome",
    "Signature",
    "Territory",
]
