"""Charts drawn on the server as inline SVG with pygal: nothing is loaded from the internet, the
text is whatever (translated) labels the caller passes, and a slow network carries a few KB."""

from __future__ import annotations

import re
import sys

import pygal
from flask_babel import gettext
from markupsafe import Markup
from pygal.style import Style

from .security.headers import csp_nonce

# pygal appends a legacy meta-path finder for its map plugins (unused here); on Python 3.11 every
# failed optional import anywhere (openpyxl probing for numpy, ...) then raises an ImportWarning.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

STYLE = Style(
    background="transparent", plot_background="transparent",
    font_family='"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif',
    colors=("#337ab7", "#5cb85c", "#f0ad4e", "#d9534f", "#5bc0de", "#777777"),
    label_font_size=12, major_label_font_size=12, legend_font_size=12, title_font_size=14,
    value_font_size=11,
)


def _config(title, **kw):
    # js=[]: pygal would otherwise link its tooltip script from a CDN.
    # no_data_text: pygal's own "No data" is English on every page.
    return dict(title=str(title) if title else None, style=STYLE, js=[], disable_xml_declaration=True,
                no_data_text=gettext("No data"),
                width=kw.pop("width", 640), height=kw.pop("height", 320), show_legend=kw.pop("legend", False),
                print_values=True, value_formatter=_number, **kw)


def _number(value) -> str:
    """Values on the bars and axes: thousands separated; one decimal for fractions below 100."""
    if value is None:
        return ""
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}"


# pygal's inline script only configures its tooltip script, which is never loaded: dropped, so the
# Content-Security-Policy has nothing to refuse. Its inline stylesheet carries the request's nonce.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _svg(chart, chart_id: str) -> Markup:
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    svg = svg.replace("<style ", f'<style nonce="{csp_nonce()}" ', 1)
    return Markup(f'<div class="portal-chart" id="{chart_id}">{svg}</div>')


def bar(chart_id: str, title, labels, series: dict, horizontal=False, **kw) -> Markup:
    """A bar chart: ``series`` maps a (translated) series name to values, one per label."""
    cls = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = cls(**_config(title, legend=len(series) > 1, **kw))
    chart.x_labels = [str(x) for x in labels]
    for name, values in series.items():
        chart.add(str(name), [None if v is None else float(v) for v in values])
    return _svg(chart, chart_id)


def line(chart_id: str, title, labels, series: dict, **kw) -> Markup:
    chart = pygal.Line(**_config(title, legend=len(series) > 1, **kw))
    chart.x_labels = [str(x) for x in labels]
    for name, values in series.items():
        chart.add(str(name), [None if v is None else float(v) for v in values])
    return _svg(chart, chart_id)


def pie(chart_id: str, title, parts: dict, **kw) -> Markup:
    chart = pygal.Pie(**_config(title, legend=True, **kw))
    for name, value in parts.items():
        chart.add(str(name), float(value or 0))
    return _svg(chart, chart_id)
