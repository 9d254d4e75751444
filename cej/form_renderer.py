"""Django's form renderer, with its most used widget templates built in Python.

Django renders every widget through its template engine: a select of twenty options costs
forty includes (each option, each option's attributes). The fiche list's filters and the
document space's signature and deposit forms spent more time on their widgets than on
everything else the pages show, and a page is rendered whole on its first view after a
change. Here the inputs and the selects are built in Python, to exactly the HTML Django's
templates give (tests/cej/test_form_renderer.py compares both on every form of the
application); every other template — a custom widget, the admin's, a form or a field
template — goes to Django's engine as before."""

import html

from django.forms.renderers import DjangoTemplates
from django.forms.widgets import Select
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"
# The widget templates that are `{% include "django/forms/widgets/input.html" %}` and
# nothing else.
INPUTS = {
    f"{WIDGETS}{name}.html"
    for name in (
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "checkbox",
        "file",
        "input",
    )
}
# Without an initial file (a form to deposit one), only its input: the rest of the template
# shows the current file.
CLEARABLE_FILE = f"{WIDGETS}clearable_file_input.html"
SELECT = f"{WIDGETS}select.html"
OPTION = f"{WIDGETS}select_option.html"


def _shown(value) -> str:
    """`{{ value }}`: localized, then escaped unless already safe."""
    if type(value) is str:  # the usual label: nothing to localize, not marked safe
        return html.escape(value)
    return conditional_escape(localize(template_localtime(value)))


def _as_string(value) -> str:
    """`{{ value|stringformat:'s' }}` (a filter that keeps a safe value safe)."""
    if type(value) is int:  # the usual option value, an id
        return str(value)
    text = str(value)
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: `True` alone, `False` left out."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_shown(name)}")
        else:
            parts.append(f' {_shown(name)}="{_as_string(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = f' value="{_as_string(widget["value"])}"' if widget["value"] is not None else ""
    return (
        f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _option(option: dict) -> str:
    # The option template ends with a line break, which its include keeps.
    return (
        f'<option value="{_as_string(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_shown(option['label'])}</option>\n"
    )


def _select(widget: dict) -> str:
    parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _group_index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            parts.append(f"\n  {_option(option)}")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FormRenderer(DjangoTemplates):
    """`FORM_RENDERER`: Django's template renderer, except for plain inputs and selects."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if template_name in INPUTS:
            return _input(widget)
        if template_name == CLEARABLE_FILE and not widget["is_initial"]:
            return (
                f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"'
                f"{_attrs(widget['attrs'])}>"
            )
        if template_name == SELECT and all(
            option["template_name"] == OPTION
            for _name, choices, _index in widget["optgroups"]
            for option in choices
        ):
            return _select(widget)
        return super().render(template_name, context, request)


class QuickSelect(Select):
    """A select of plain choices (no groups, one value) written straight from its choices:
    for a long list — a national administrator's hundred territories — building Django's
    per-option dicts (`optgroups`) cost as much as writing the options. The same HTML as
    Select (tests/cej/test_form_renderer.py); anything else goes Django's way."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if self.allow_multiple_selected or any(
            isinstance(label, list | tuple) for _value, label in choices
        ):
            return super().render(name, value, attrs, renderer)
        values = self.format_value(value)
        parts = [f'<select name="{_shown(name)}"{_attrs(self.build_attrs(self.attrs, attrs))}>']
        has_selected = False
        for option_value, label in choices:
            if option_value is None:
                option_value = ""
            selected = not has_selected and str(option_value) in values
            has_selected |= selected
            parts.append(
                f'\n  <option value="{_as_string(option_value)}"{" selected" if selected else ""}>'
                f"{_shown(label)}</option>\n"
            )
        parts.append("\n</select>")
        return mark_safe("".join(parts))
