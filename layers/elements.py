"""Safe building blocks for map elements that carry text from the data.

branca renders each element's macro and then compiles the *result* again as a
Jinja template (``Element(script_text)``). Text from the data inside that
result would be evaluated: a zone named ``{{ … }}`` would run code on the
server, and ``{% x`` would break the page. Two defences, both always applied:

- :class:`RawMacroElement` adds its rendered macros as raw text, never as a
  new template (this also spares lexing megabytes of GeoJSON);
- :func:`script_json` writes JSON that is safe inside ``<script>`` and has no
  brace inside a string, so even a second templating pass finds nothing.
"""

from __future__ import annotations

import re
from typing import Any

from branca.element import Element, Figure, MacroElement
from jinja2.utils import htmlsafe_json_dumps

__all__ = ["RawMacroElement", "script_json"]

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _no_braces(match: re.Match[str]) -> str:
    return match.group(0).replace("{", "\\u007b").replace("}", "\\u007d")


def script_json(obj: Any) -> str:
    """Return compact JSON of ``obj`` that is safe inside a ``<script>`` element.

    ``<``, ``>``, ``&`` and ``'`` are escaped as by Jinja's ``tojson``, and
    braces inside strings as ``\\u007b``/``\\u007d``: the value a browser
    parses is unchanged.
    """
    # Non-ASCII letters travel as UTF-8 (a third of the size of \\uXXXX escapes);
    # U+2028/U+2029 stay escaped for older JavaScript engines.
    text = str(htmlsafe_json_dumps(obj, separators=(",", ":"), ensure_ascii=False))
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return _JSON_STRING.sub(_no_braces, text) if "{" in text or "}" in text else text


class _Raw(Element):
    """Already rendered text, added to a figure as it is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class RawMacroElement(MacroElement):
    """A MacroElement whose rendered macros are never compiled again as templates."""

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as branca
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("render the element inside a folium Map")
        for part in ("header", "html", "script"):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_Raw(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
