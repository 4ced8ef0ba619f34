"""The daily balance chart as inline SVG drawn on the server: inventory subledger value against the Inventory G/L
accounts' balance, with the first day they part marked. No JavaScript."""

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.svgchart import Frame
from reconciliation.selectors import Chart

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 720, 240, 84, 12, 16, 36


def render_svg(chart: Chart) -> SafeString:
    frame = Frame.around(
        chart.subledger + chart.gl, days=len(chart.days), size=(WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM)
    )
    x, plot_h = frame.x, frame.plot_h

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
    ticks = frame.y_ticks()
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
        pw=frame.plot_w,
        ph=plot_h,
        ticks=ticks,
        gl=frame.steps(chart.gl),
        sub=frame.steps(chart.subledger),
        marker=marker,
        by=HEIGHT - 12,
        r=WIDTH - RIGHT,
        first=chart.days[0].isoformat(),
        last=chart.days[-1].isoformat(),
    )
