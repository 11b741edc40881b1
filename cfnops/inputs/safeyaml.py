"""The one YAML reader for every input file (parameter files, StackSet files, drift-ignore.yaml).

Before parsing: a regular file (not a directory, device or FIFO), inside the project
(a symlink may not lead out of it), at most ``MAX_BYTES``, UTF-8. While parsing: no
duplicate keys (YAML would keep the last silently), no aliases (``*name``: an alias bomb
expands a few lines into gigabytes), nesting at most ``MAX_DEPTH`` deep. Every refusal is
an InputError of one line naming the file (and line:column where there is one).
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import yaml

from ..core.errors import InputError, shown_value

MAX_BYTES = 256 * 1024  # our largest input is 3 KB
MAX_DEPTH = 32  # parameter files nest 5 deep


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that we refuse to read (the message is not a syntax error)."""


class _Loader(yaml.SafeLoader):
    """SafeLoader, refusing what _Refused says; true/false are its only booleans (YAML 1.2:
    yes, no, on and off stay strings)."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(
                None,
                None,
                f"alias *{shown_value(event.anchor, quote=False)}: aliases are not allowed (write the value out)",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep: bool = False) -> dict:
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: SafeLoader refuses it below
                    continue
                if first is not None:
                    raise _Refused(
                        None,
                        None,
                        f"key {shown_value(key)} appears twice (first on line {first + 1}); "
                        "YAML would keep only the last",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep)


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _read_text(path: Path, file: str, root: Path | None) -> str:
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        raise InputError(f"{file}: no such file") from None
    except (OSError, RuntimeError) as error:  # a symlink loop: ELOOP (RuntimeError before Python 3.13)
        raise InputError(f"{file}: cannot be opened: {getattr(error, 'strerror', None) or error}") from None
    boundary = (root if root is not None else path.absolute().parent).resolve()
    if path.is_symlink() and not resolved.is_relative_to(boundary):
        raise InputError(f"{file}: a symlink that leads out of {boundary} (to {resolved}); copy the file in instead")
    mode = resolved.stat().st_mode
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise InputError(f"{file}: expected a YAML file, got {kind}")
    with resolved.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(f"{file}: larger than {MAX_BYTES // 1024} KB; expected a small YAML file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{file}: not UTF-8 text ({error.reason} at byte {error.start})") from None


def load(path: Path, file: str, root: Path | None = None) -> object:
    """The file's one YAML document; ``root``: where symlinks may lead (default: the file's folder)."""
    text = _read_text(path, file, root)
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        kind = "" if isinstance(error, _Refused) else "YAML syntax error: "
        raise InputError(f"{file}{where}: {kind}{problem}") from None
    except RecursionError:
        raise InputError(f"{file}: nested too deeply") from None
