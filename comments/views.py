"""Pages of the comments: start a thread, reply, edit, delete, resolve, reopen, history.
Thin: the contract through its scope (out of scope is 404), a comment the viewer may not
read is absent (404, so a partner cannot learn a CDAJE-only thread exists), refusals are
403 with the reason, changes go through `comments.services`."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cej.html import rich_text_to_plain
from cej.view_helpers import add_errors, require, scoped_contract
from comments import services
from comments.forms import BodyForm, CommentForm
from comments.models import Comment, CommentRevision
from comments.permissions import can_change, can_comment, is_cdaje_staff, may_read
from comments.targets import resolve

_FORMATTED = re.compile(r"<(?!/?p>|br\s*/?>)", re.IGNORECASE)


def _comment(request, contract, pk) -> Comment:
    """The comment if the viewer reads it; 404 otherwise, as for one that does not exist."""
    if not 0 < pk < 2**63:  # beyond what a database column holds
        raise Http404(_("Aucun commentaire à cette adresse."))
    comment = (
        Comment.objects.filter(contract=contract, pk=pk).select_related("author", "parent").first()
    )
    if comment is None or not may_read(request.user, comment, contract):
        raise Http404(_("Aucun commentaire à cette adresse."))
    comment.contract = contract
    if comment.parent is not None:
        comment.parent.contract = contract
    return comment


def _back_to(contract, comment) -> str:
    target = resolve(contract, comment.target_kind, comment.target_id)
    if target is None:
        raise Http404(_("L'objet de ce commentaire n'existe plus."))
    return f"{target.url}#comment-{comment.pk}"


def _refused(request, error) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
@require_POST
def comment_create(request, slug):
    contract = scoped_contract(request, slug)
    require(can_comment(request.user, contract))
    target = resolve(
        contract, request.POST.get("target_kind", "")[:16], request.POST.get("target_id")
    )
    if target is None:
        raise Http404(_("Aucun objet à commenter à cette adresse."))
    form = CommentForm(request.POST, target=target, staff=is_cdaje_staff(request.user, contract))
    if form.is_valid():
        try:
            comment = services.comment_create(
                target=target,
                body=form.cleaned_data["body"],
                anchor=form.cleaned_data["anchor"],
                visibility=form.cleaned_data["visibility"],
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Commentaire publié."))
            return redirect(f"{target.url}#comment-{comment.pk}")
    return render(
        request,
        "comments/comment_form.html",
        {"contract": contract, "target": target, "form": form, "action": "create"},
        status=400,
    )


@login_required
@require_POST
def comment_reply(request, slug, pk):
    contract = scoped_contract(request, slug)
    comment = _comment(request, contract, pk)
    thread = comment.parent or comment
    form = BodyForm(request.POST)
    if form.is_valid():
        try:
            reply = services.comment_reply(
                thread=thread, body=form.cleaned_data["body"], by=request.user
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Réponse publiée."))
            return redirect(_back_to(contract, reply))
    return render(
        request,
        "comments/comment_form.html",
        {
            "contract": contract,
            "target": resolve(contract, thread.target_kind, thread.target_id),
            "thread": thread,
            "form": form,
            "action": "reply",
        },
        status=400,
    )


@login_required
def comment_edit(request, slug, pk):
    contract = scoped_contract(request, slug)
    comment = _comment(request, contract, pk)
    require(can_change(request.user, comment))
    form = BodyForm(request.POST or None, initial={"body": _as_typed(comment.body)})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(comment=comment, body=form.cleaned_data["body"], by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Commentaire modifié."))
            return redirect(_back_to(contract, comment))
    return render(
        request,
        "comments/comment_form.html",
        {
            "contract": contract,
            "target": resolve(contract, comment.target_kind, comment.target_id),
            "comment": comment,
            "form": form,
            "action": "edit",
        },
        status=400 if form.is_bound else 200,
    )


def _as_typed(body: str) -> str:
    """The stored text as its author would type it again: paragraphs only become plain text
    (blank lines between them); any other formatting stays as markup."""
    if _FORMATTED.search(body):
        return body
    return rich_text_to_plain(body).replace("\n", "\n\n")


@login_required
@require_POST
def comment_delete(request, slug, pk):
    contract = scoped_contract(request, slug)
    comment = _comment(request, contract, pk)
    services.comment_delete(comment=comment, by=request.user)
    messages.success(request, _("Commentaire supprimé : son texte reste dans l'historique."))
    return redirect(_back_to(contract, comment))


def _thread_step(request, slug, pk, service, done: str):
    contract = scoped_contract(request, slug)
    comment = _comment(request, contract, pk)
    try:
        service(thread=comment, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, done)
    return redirect(_back_to(contract, comment))


@login_required
@require_POST
def comment_resolve(request, slug, pk):
    return _thread_step(request, slug, pk, services.thread_resolve, _("Fil résolu."))


@login_required
@require_POST
def comment_reopen(request, slug, pk):
    return _thread_step(request, slug, pk, services.thread_reopen, _("Fil rouvert."))


@login_required
def comment_history(request, slug, pk):
    """What the comment said before each edit or deletion, and when its thread was resolved
    or reopened."""
    contract = scoped_contract(request, slug)
    comment = _comment(request, contract, pk)
    revisions = CommentRevision.objects.filter(comment=comment).select_related("by")
    return render(
        request,
        "comments/comment_history.html",
        {
            "contract": contract,
            "comment": comment,
            "target": resolve(contract, comment.target_kind, comment.target_id),
            "revisions": revisions,
        },
    )
