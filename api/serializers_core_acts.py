"""The acts of a contract: its avenants (decisions, signatures, sealed act) and its stored
documents (metadata; the bytes through the download route)."""

from rest_framework import serializers

from api.serializers_core_common import links_of, person


class AmendmentDecisionSerializer(serializers.Serializer):
    partner = serializers.CharField(source="partner.name")
    body = serializers.CharField(help_text="Instance (ex. Conseil d'administration).")
    reference = serializers.CharField(help_text="Numéro de la délibération.")
    decided_on = serializers.DateField()


class AmendmentSignatureSerializer(serializers.Serializer):
    signatory = serializers.CharField(source="signatory.full_name")
    function = serializers.CharField(source="signatory.function")
    partner = serializers.CharField(source="signatory.partner.name")
    signed_on = serializers.DateField()
    place = serializers.CharField()


class AmendmentSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField(help_text="Objet de l'avenant.")
    summary = serializers.CharField(help_text="Exposé des motifs, texte brut.")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    opened_at = serializers.DateTimeField(allow_null=True)
    opinion_on = serializers.DateField(
        allow_null=True, help_text="Date de la plénière où la CDAJE a rendu son avis."
    )
    signed_on = serializers.DateField(allow_null=True)
    signing_place = serializers.CharField()
    abandoned_on = serializers.DateField(allow_null=True)
    abandon_reason = serializers.CharField()
    annex_convention_end_year = serializers.IntegerField(
        source="new_end_year",
        allow_null=True,
        help_text="Dernière année de la convention annexe qu'il fixe, s'il la prolonge.",
    )
    decisions = AmendmentDecisionSerializer(
        source="decisions.all", many=True, help_text="Délibérations des partenaires."
    )
    signatures = AmendmentSignatureSerializer(source="signatures.all", many=True)
    document_url = serializers.SerializerMethodField(
        help_text="L'acte signé et scellé (métadonnées du document), une fois établi."
    )
    api_url = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="La page de l'avenant.")
    pdf_url = serializers.SerializerMethodField(
        help_text="L'acte : scellé s'il est signé, sinon son projet."
    )

    def get_document_url(self, amendment) -> str | None:
        sealed = amendment.sealed_documents
        if not sealed:
            return None
        return links_of(self)("api:document_detail", "pk", sealed[0].pk)

    def get_api_url(self, amendment) -> str:
        return links_of(self)("api:avenant_detail", "number", amendment.number)

    def get_url(self, amendment) -> str:
        return links_of(self)("amendment_detail", "number", amendment.number)

    def get_pdf_url(self, amendment) -> str:
        return links_of(self)("amendment_pdf", "number", amendment.number)


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    filename = serializers.CharField()
    size = serializers.IntegerField(help_text="Taille en octets.")
    sha256 = serializers.CharField(
        help_text="Empreinte SHA-256 enregistrée au dépôt, vérifiée à chaque téléchargement."
    )
    sealed = serializers.BooleanField(help_text="Rendu et scellé par l'application (PAdES).")
    dated = serializers.DateField(allow_null=True, help_text="Date de l'acte, s'il y a lieu.")
    amendment = serializers.IntegerField(
        source="amendment.number", allow_null=True, help_text="N° de l'avenant, s'il y a lieu."
    )
    created_at = serializers.DateTimeField()
    created_by = serializers.SerializerMethodField(help_text="Déposé par (null : l'application).")
    download_count = serializers.IntegerField(help_text="Téléchargements servis.")
    api_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(
        help_text="Le fichier, vérifié par son empreinte (409 s'il a été altéré)."
    )

    def get_created_by(self, document) -> str | None:
        return person(document.created_by)

    def get_api_url(self, document) -> str:
        return links_of(self)("api:document_detail", "pk", document.pk)

    def get_download_url(self, document) -> str:
        return links_of(self)("api:document_download", "pk", document.pk)
