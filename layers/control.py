"""A Leaflet control holding escaped HTML: the legend and the export's info box."""

from __future__ import annotations

from jinja2 import Template

from layers.elements import RawMacroElement, script_json

__all__ = ["HtmlControl"]


class HtmlControl(RawMacroElement):
    """A map control showing ``html`` styled by ``css``.

    ``html`` must already be escaped (built with :data:`layers.base.HTML`); both
    strings reach the script as html-safe JSON, so nothing in them can end it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var style = document.createElement("style");
            style.textContent = {{ this.css_json }};
            document.head.appendChild(style);
            var control = L.control({position: {{ this.position_json }}});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.class_json }});
                div.innerHTML = {{ this.html_json }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            control.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, css: str, *, position: str, name: str) -> None:
        super().__init__()
        self._name = name
        self.css_json = script_json(css)
        self.html_json = script_json(html)
        self.position_json = script_json(position)
        self.class_json = script_json(f"kcn-{name}-control")
