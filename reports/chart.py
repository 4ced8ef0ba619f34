"""Value over time on the Inventory Valuation page: inline SVG drawn on the server, one stepped line per inventory
posting group (or per item with an item filter), with a legend. No JavaScript."""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.svgchart import Frame

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 720, 260, 90, 12, 16, 40
PALETTE = ("#1d5fa8", "#d07a00", "#2e7d32", "#8e24aa", "#c62828", "#00838f", "#6d4c41", "#455a64")


def render_svg(chart: dict) -> SafeString:
    days, series = chart["days"], chart["series"]
    values = [v for _key, vals in series for v in vals] + [Decimal(0)]
    frame = Frame.around(values, days=len(days), size=(WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM))
    plot_w, plot_h = frame.plot_w, frame.plot_h

    lines = format_html_join(
        "",
        '<polyline fill="none" stroke-width="2" stroke="{}" points="{}"><title>{}</title></polyline>',
        ((PALETTE[i % len(PALETTE)], frame.steps(vals), key or "-") for i, (key, vals) in enumerate(series)),
    )
    legend = format_html_join(
        "",
        '<rect x="{}" y="{}" width="10" height="10" fill="{}"/><text class="tick" x="{}" y="{}">{}</text>',
        (
            (LEFT + 110 * i, HEIGHT - 14, PALETTE[i % len(PALETTE)], LEFT + 110 * i + 14, HEIGHT - 5, key or "-")
            for i, (key, _vals) in enumerate(series)
        ),
    )
    ticks = frame.y_ticks()
    title = (
        _("Inventory value over time, per item")
        if chart["by"] == "item"
        else _("Inventory value over time, per inventory posting group")
    )
    return format_html(
        '<svg class="report-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="report-chart-title" '
        'xmlns="http://www.w3.org/2000/svg"><title id="report-chart-title">{title}</title>'
        '<rect x="{l}" y="{t}" width="{pw}" height="{ph}" fill="#fbfcfd" stroke="#ccd"/>{ticks}{lines}'
        '<text class="tick" x="{l}" y="{by}">{first}</text>'
        '<text class="tick" x="{r}" y="{by}" text-anchor="end">{last}</text>{legend}</svg>',
        w=WIDTH,
        h=HEIGHT,
        title=title,
        l=LEFT,
        t=TOP,
        pw=plot_w,
        ph=plot_h,
        ticks=ticks,
        lines=lines,
        by=TOP + plot_h + 14,
        r=WIDTH - RIGHT,
        first=days[0].isoformat(),
        last=days[-1].isoformat(),
        legend=legend,
    )
