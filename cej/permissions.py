"""Permission helpers shared by the apps."""


def works_on_contract(user, contract) -> bool:
    """Staff of the contract's territory (or an administrator). Cached on the user object
    for the request, so templates can ask repeatedly at no cost."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    territory_ids = getattr(user, "_cej_territory_ids", None)
    if territory_ids is None:
        territory_ids = set(user.territories.values_list("pk", flat=True))
        user._cej_territory_ids = territory_ids
    return contract.territory_id in territory_ids
