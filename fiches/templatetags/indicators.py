"""`{% sparkline trend %}`: an indicator's trend as a small inline SVG
(`fiches.indicator_charts`); `|figure`: an indicator's value as French text (« 1 250 »,
« 12,5 »)."""

from django import template

from fiches.indicator_charts import figure as figure_text
from fiches.indicator_charts import sparkline as draw

register = template.Library()


@register.simple_tag
def sparkline(trend, width=120, height=32):
    return draw(trend, width=width, height=height)


@register.filter
def figure(value):
    return figure_text(value)
