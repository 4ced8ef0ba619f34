"""The daily balance chart as inline SVG drawn on the server: inventory subledger value against the Inventory G/L
accounts' balance, with the first day they part marked. No JavaScript."""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from reconciliation.selectors import Chart

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 720, 240, 84, 12, 16, 36


def _fmt(value: Decimal) -> str:
    return f"{value:,.2f}"


def render_svg(chart: Chart) -> SafeString:
    values = chart.subledger + chart.gl
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    span_days = max(len(chart.days) - 1, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + plot_w * i / span_days

    def y(v: Decimal) -> float:
        return TOP + plot_h * float((high - v) / (high - low))

    def points(series) -> str:
        # Steps: a balance holds all day and changes at the next posting date.
        pts = []
        for i, v in enumerate(series):
            if i:
                pts.append(f"{x(i):.1f},{y(series[i - 1]):.1f}")
            pts.append(f"{x(i):.1f},{y(v):.1f}")
        if len(series) == 1:
            pts.append(f"{x(1):.1f},{y(series[0]):.1f}")
        return " ".join(pts)

    marker = ""
    if chart.first_divergence is not None:
        i = chart.days.index(chart.first_divergence)
        marker = format_html(
            '<line class="diverge" x1="{x}" x2="{x}" y1="{t}" y2="{b}"/>'
            '<text class="diverge-label" x="{tx}" y="{ty}">{label}</text>',
            x=f"{x(i):.1f}",
            t=TOP,
            b=TOP + plot_h,
            tx=f"{min(x(i) + 4, WIDTH - 200):.1f}",
            ty=TOP + 12,
            label=_("First difference: %(day)s") % {"day": chart.first_divergence.isoformat()},
        )
    ticks = format_html_join(
        "",
        '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
        ((LEFT - 6, f"{y(v) + 4:.1f}", _fmt(v)) for v in (high, (high + low) / 2, low)),
    )
    return format_html(
        '<svg class="recon-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="chart-title" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="chart-title">{title}</title>'
        '<rect class="plot" x="{l}" y="{t}" width="{pw}" height="{ph}"/>{ticks}'
        '<polyline class="series-gl" points="{gl}"/><polyline class="series-sub" points="{sub}"/>{marker}'
        '<text class="tick" x="{l}" y="{by}">{first}</text>'
        '<text class="tick" x="{r}" y="{by}" text-anchor="end">{last}</text>'
        "</svg>",
        w=WIDTH,
        h=HEIGHT,
        title=_("Inventory value in the inventory ledger and the Inventory G/L accounts' balance, by day"),
        l=LEFT,
        t=TOP,
        pw=plot_w,
        ph=plot_h,
        ticks=ticks,
        gl=points(chart.gl),
        sub=points(chart.subledger),
        marker=marker,
        by=HEIGHT - 12,
        r=WIDTH - RIGHT,
        first=chart.days[0].isoformat(),
        last=chart.days[-1].isoformat(),
    )
