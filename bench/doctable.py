"""Write a benchmark's table into docs/performance.md, between the markers that name it.

    from doctable import write_section
    write_section("bench-scale", markdown)

The section lives between ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->``; a run replaces what is between them (the
prose around it is the engineer's). A missing section is appended at the end of the file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def write_section(name: str, markdown: str, doc: Path = DOC) -> None:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = f"{begin}\n{markdown.rstrip()}\n{end}"
    text = doc.read_text() if doc.exists() else ""
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _m: block, text, count=1) if pattern.search(text) else text.rstrip() + f"\n\n{block}\n"
    tmp = doc.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, doc)


def table(header: list[str], rows: list[list[str]], right: range | None = None) -> str:
    """A Markdown table; the columns in ``right`` (default: all but the first) are right-aligned (figures)."""
    right = range(1, len(header)) if right is None else right
    align = ["---:" if i in right else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
