"""Figures of the review as pages and PDF print them."""

from decimal import Decimal

from django import template

from cej.money import format_number
from reviews.charts import signed_percent

register = template.Library()


@register.filter
def figure(value):
    """An indicator's value: « 1 250 », « 12,5 »; « – » when missing."""
    if value is None or value == "":
        return "–"
    value = Decimal(value)
    if value == value.to_integral_value():
        return format_number(value, decimals=0)
    return format_number(
        value.normalize(), decimals=max(1, min(2, -value.normalize().as_tuple().exponent))
    )


@register.filter
def signed_figure(value):
    """A variance with its sign: « +12 », « −3,5 »."""
    if value is None:
        return "–"
    shown = figure(abs(value))
    return f"+{shown}" if value > 0 else (f"−{shown}" if value < 0 else shown)


@register.filter
def signed_rate(value):
    return signed_percent(value)


@register.filter
def rate(value):
    """A coverage rate: « 58,3 »."""
    if value is None:
        return "–"
    return format_number(value, decimals=1)
