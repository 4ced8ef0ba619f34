"""A small reader of gettext .po files (polib is not a dependency): enough to find untranslated and fuzzy entries."""

import ast
from dataclasses import dataclass, field


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def _unquote(text: str) -> str:
    return ast.literal_eval(text.strip())


def parse(text: str) -> list[Entry]:
    """The entries of a .po file, the header (empty msgid) included."""
    entries: list[Entry] = []
    current: Entry | None = None
    key = None
    for raw in text.splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current is not None:
                entries.append(current)
            current, key = None, None
            continue
        if current is None:
            current = Entry()
        if line.startswith("#~"):
            current.obsolete = True
            continue
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#:"):
            current.references.extend(line[2:].split())
            continue
        if line.startswith("#"):
            continue
        if line.startswith("msgid_plural "):
            key, current.msgid_plural = "msgid_plural", _unquote(line[len("msgid_plural ") :])
        elif line.startswith("msgid "):
            key, current.msgid = "msgid", _unquote(line[len("msgid ") :])
        elif line.startswith("msgstr["):
            index = int(line[len("msgstr[") : line.index("]")])
            key = index
            current.msgstr[index] = _unquote(line[line.index("]") + 1 :])
        elif line.startswith("msgstr "):
            key = 0
            current.msgstr[0] = _unquote(line[len("msgstr ") :])
        elif line.startswith('"'):
            if key == "msgid":
                current.msgid += _unquote(line)
            elif key == "msgid_plural":
                current.msgid_plural += _unquote(line)
            elif isinstance(key, int):
                current.msgstr[key] += _unquote(line)
    return entries
