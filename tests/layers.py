#!/usr/bin/env python3
"""The folders show the layers, and nothing reaches up (README.md, "Layout").

    layers.py SOURCE_ROOT

Every #include "attn/..." in include/attn/ and src/ must name a header of the file's own layer or
of a layer it may use:

    engine   include/attn/*.hpp, src/*.cpp, src/ops/   the engine only
    support  include/attn/support/, src/support/        + the engine
    nn       include/attn/nn/, src/nn/                  + support
    data     include/attn/data/, src/data/              + support (not nn)
    train    include/attn/train/, src/train/            + nn, data
    seq2seq  include/attn/seq2seq/, src/seq2seq/        everything below

Exits 1 naming every include that reaches up or sideways; prints "N passed, 0 failed" otherwise.
"""
import pathlib
import re
import sys

MAY_USE = {
    "engine": {"engine"},
    "support": {"engine", "support"},
    "nn": {"engine", "support", "nn"},
    "data": {"engine", "support", "data"},
    "train": {"engine", "support", "nn", "data", "train"},
    "seq2seq": {"engine", "support", "nn", "data", "train", "seq2seq"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"attn/([^"]+)"')


def layer_of(relative):
    """The layer of a path below include/attn/ or src/ ("nn/layers.hpp" -> "nn")."""
    parts = pathlib.PurePosixPath(relative).parts
    if len(parts) == 1 or parts[0] == "ops":
        return "engine"
    if parts[0] not in MAY_USE:
        raise SystemExit(f"layers.py: {relative}: folder '{parts[0]}' is no layer; add it to tests/layers.py and README 'Layout'")
    return parts[0]


def main():
    root = pathlib.Path(sys.argv[1])
    checked, problems = 0, []
    for base in (root / "include" / "attn", root / "src"):
        for path in sorted(base.rglob("*")):
            if path.suffix not in (".hpp", ".cpp") or path.name == "meson.build":
                continue
            own = layer_of(path.relative_to(base).as_posix())
            for number, line in enumerate(path.read_text().splitlines(), 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                checked += 1
                used = layer_of(match.group(1))
                if used not in MAY_USE[own]:
                    problems.append(f"{path.relative_to(root)}:{number}: the {own} layer includes attn/{match.group(1)} ({used})")
    for problem in problems:
        print(problem)
    print(f"{checked - len(problems)} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
