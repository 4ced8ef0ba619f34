"""The frame of a server-drawn SVG line chart (no JavaScript): the plot area, the scales and stepped series.

Shared by the reconciliation's daily balance chart and the Inventory Valuation page's value-over-time chart.
Coordinates are pixels (floats); the values they come from stay Decimal.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html_join
from django.utils.safestring import SafeString


@dataclass
class Frame:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    days: int  # points along the x axis
    low: Decimal
    high: Decimal

    @classmethod
    def around(cls, values, *, days: int, size: tuple[int, int, int, int, int, int]) -> "Frame":
        """A frame whose y axis spans ``values`` (a flat line gets one unit either side)."""
        low, high = min(values), max(values)
        if low == high:
            low, high = low - 1, high + 1
        return cls(*size, days=days, low=low, high=high)

    @property
    def plot_w(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> int:
        return self.height - self.top - self.bottom

    def x(self, i: int) -> float:
        return self.left + self.plot_w * i / max(self.days - 1, 1)

    def y(self, v: Decimal) -> float:
        return self.top + self.plot_h * float((self.high - v) / (self.high - self.low))

    def steps(self, series) -> str:
        """Polyline points of a stepped series: a balance holds all day and changes at the next day with a posting.
        A single day is drawn as a short flat step, so it stays visible."""
        pts = []
        for i, v in enumerate(series):
            if i:
                pts.append(f"{self.x(i):.1f},{self.y(series[i - 1]):.1f}")
            pts.append(f"{self.x(i):.1f},{self.y(v):.1f}")
        if len(series) == 1:
            pts.append(f"{self.x(1):.1f},{self.y(series[0]):.1f}")
        return " ".join(pts)

    def y_ticks(self) -> SafeString:
        """Labels for the top, middle and bottom of the y axis."""
        return format_html_join(
            "",
            '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
            (
                (self.left - 6, f"{self.y(v) + 4:.1f}", f"{v:,.2f}")
                for v in (self.high, (self.high + self.low) / 2, self.low)
            ),
        )
