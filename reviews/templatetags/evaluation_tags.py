"""Template filters of the final evaluation and the dashboard's yearly follow-up."""

from django import template

from reviews import sparklines

register = template.Library()


@register.filter
def trend_sparkline(trend):
    return sparklines.sparkline(trend)


@register.filter
def figure(value):
    """An indicator's value in French (« 1 250 », « 12,50 »), « — » when not entered."""
    return sparklines._figure(value)


@register.filter
def bound_field(form, name):
    return form[name]
