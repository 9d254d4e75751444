"""The contract domain's models, by sub-domain: contracts and their parties, signatures,
annex conventions and amendments; stored documents and their downloads."""

from cej.models.contracts import (
    FROZEN_STATUSES,
    YEAR_VALIDATORS,
    Amendment,
    AmendmentSignature,
    AmendmentStatus,
    AnnexConvention,
    Contract,
    ContractParty,
    ContractStatus,
    PartnerDecision,
    PartyRole,
    Signature,
    Territory,
)
from cej.models.documents import Document, DocumentDownload, DocumentKind, DownloadOutcome

__all__ = [
    "FROZEN_STATUSES",
    "YEAR_VALIDATORS",
    "Amendment",
    "AmendmentSignature",
    "AmendmentStatus",
    "AnnexConvention",
    "Contract",
    "ContractParty",
    "ContractStatus",
    "Document",
    "DocumentDownload",
    "DocumentKind",
    "DownloadOutcome",
    "PartnerDecision",
    "PartyRole",
    "Signature",
    "Territory",
]
