"""What a comment can be about. The targets (fiches, avenants, annual reviews) live in apps
above this one, so each of those apps registers its kind here when it is ready
(`<app>/comment_targets.py`): how to find one in a contract, its page, its name, and the
sections a comment may be anchored to."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language

from cej.page_cache import cache, contract_state


@dataclass(frozen=True)
class TargetType:
    kind: str
    # (contract, target_id) -> the object, or None when the contract has no such target
    find: Callable
    # object -> the path of its page (where its threads are shown)
    url: Callable
    # object -> its readable name (« Fiche 3 « Accueil… » »)
    label: Callable
    # object -> [(anchor, label)]: the sections a comment may be anchored to, whole object aside
    anchors: Callable


_REGISTRY: dict[str, TargetType] = {}


def register(target: TargetType) -> None:
    _REGISTRY[target.kind] = target


def target_type(kind: str) -> TargetType | None:
    return _REGISTRY.get(kind)


@dataclass(frozen=True)
class Target:
    """One commented object, resolved: what the services and pages need of it."""

    kind: str
    obj: object
    contract: object
    url: str
    label: str

    @property
    def pk(self) -> int:
        return self.obj.pk

    def anchors(self) -> list[tuple[str, str]]:
        """The sections offered, kept in the page cache under the contract's state (they
        follow from its data alone: a fiche's budget lines and indicators), so that a page
        served from the cache does not read them again."""
        key = (
            f"comment-anchors:{self.kind}:{self.obj.pk}:"
            f"{contract_state(self.contract)}:{get_language()}"
        )
        store = cache()
        anchors = store.get(key)
        if anchors is None:
            anchors = [tuple(pair) for pair in _REGISTRY[self.kind].anchors(self.obj)]
            store.set(key, anchors, settings.PAGE_CACHE_TIMEOUT)
        return anchors

    def anchor_label(self, anchor: str) -> str | None:
        """The label of `anchor` ("" for the whole object), or None if it is not one of it."""
        if not anchor:
            return ""
        return dict(self.anchors()).get(anchor)


def resolve(contract, kind: str, target_id) -> Target | None:
    """The target `kind`/`target_id` of `contract`, or None (unknown kind, other contract)."""
    target = _REGISTRY.get(kind)
    if target is None:
        return None
    try:
        target_id = int(target_id)
    except (TypeError, ValueError):
        return None
    if not 0 < target_id < 2**31:
        return None
    obj = target.find(contract, target_id)
    if obj is None:
        return None
    return Target(kind, obj, contract, target.url(obj), target.label(obj))


def target_for(kind: str, obj, contract) -> Target:
    """The target of a page that has its object already (no query)."""
    obj.contract = contract
    target = _REGISTRY[kind]
    return Target(kind, obj, contract, target.url(obj), target.label(obj))
