"""The discussion in the Loire demo (illustrative): threads on the fiches of the next
contract (cej-loire-2018-2021) being prepared, and on the 2017 annual review — one shared
and answered with a mention of the CAF's user, one reserved to the CDAJE, one resolved, one
on the review that mentions the CDAJE agent. Written through the comment services, so the
mentions and replies are notified as in use. Needs the demo accounts; without them (or once
written) it writes nothing."""

from django.contrib.auth import get_user_model

from cej.models import Contract
from comments.models import Comment, TargetKind, Visibility
from comments.services import comment_create, comment_reply, thread_resolve
from comments.targets import target_for
from fiches.models import Fiche
from reviews.models import AnnualReview

AUTHORS = ("cdaje", "partner-caf", "partner-msa", "partner-cg")


def load_loire_comments(contract: Contract) -> int:
    """Returns the number of comments written (0 on a second run)."""
    successor = Contract.objects.filter(predecessor=contract).first()
    users = {user.username: user for user in get_user_model().objects.filter(username__in=AUTHORS)}
    if successor is None or len(users) < len(AUTHORS):
        return 0
    if Comment.objects.filter(contract__in=[contract, successor]).exists():
        return 0
    fiches = list(Fiche.objects.filter(contract=successor).order_by("number")[:3])
    if len(fiches) < 3:
        return 0
    written = 0

    def on_fiche(fiche, who, body, **options):
        nonlocal written
        written += 1
        return comment_create(
            target=target_for(TargetKind.FICHE, fiche, successor),
            body=body,
            by=users[who],
            **options,
        )

    def reply(thread, who, body):
        nonlocal written
        written += 1
        return comment_reply(thread=thread, body=body, by=users[who])

    observatory, offer, public = fiches[0], fiches[1], fiches[2]
    thread = on_fiche(
        offer,
        "partner-caf",
        "Le constat reprend les chiffres de 2016. La CAF peut fournir ceux de 2017 (taux de "
        "couverture par EPCI) avant la plénière.",
        anchor="field:findings",
    )
    reply(
        thread,
        "cdaje",
        "Merci, nous les intégrons. @partner-caf, pouvez-vous les envoyer d'ici la fin du mois ?",
    )
    on_fiche(
        offer,
        "cdaje",
        "À voir en bureau avant la plénière : l'élargissement aux micro-crèches suppose "
        "l'accord du Département sur le budget de <strong>2019</strong>.",
        visibility=Visibility.STAFF,
        anchor="field:actions",
    )
    answered = on_fiche(
        public,
        "partner-msa",
        "Préciser les familles relevant du régime agricole parmi le public visé.",
        anchor="field:target_public",
    )
    reply(answered, "cdaje", "Ajouté dans la dernière version de la fiche.")
    thread_resolve(thread=answered, by=users["partner-msa"])
    on_fiche(
        observatory,
        "partner-cg",
        "Le Département souhaite que l'observatoire publie aussi une synthèse annuelle pour "
        "les communes.",
    )

    review = AnnualReview.objects.filter(contract=contract, year=2017).first()
    if review is not None:
        row = review.fiches.order_by("fiche__number").first()
        written += 1
        comment_create(
            target=target_for(TargetKind.REVIEW, review, contract),
            body="Le réalisé 2017 de cette fiche est-il définitif ? Le compte administratif "
            "du Département sera voté en juin. @cdaje",
            by=users["partner-cg"],
            anchor=f"fiche:{row.fiche_id}" if row else "",
        )
    return written
