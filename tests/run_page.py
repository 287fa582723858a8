#!/usr/bin/env python3
"""Checks a run folder's index.html (attn/support/run_page.hpp): it parses as XML (every tag
closed, no undefined entities), every link and picture it names is a file inside the folder,
and every picture in the folder is on the page.

    tests/run_page.py out/02_bahdanau/dates [more folders]
"""
import pathlib
import sys
import urllib.parse
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/1999/xhtml}"


def check(folder: pathlib.Path) -> list:
    page = folder / "index.html"
    if not page.is_file():
        return [f"{page}: missing"]
    try:
        root = ET.parse(page).getroot()
    except ET.ParseError as error:
        return [f"{page}: not well-formed: {error}"]
    problems = []
    if root.tag != NS + "html" or root.find(NS + "body") is None:
        problems.append(f"{page}: no <html> with a <body>")
    linked = set()
    for element in root.iter():
        for attribute in ("src", "href"):
            target = element.get(attribute)
            if target is None:
                continue
            path = urllib.parse.unquote(target)
            resolved = (folder / path).resolve()
            if urllib.parse.urlparse(target).scheme or path.startswith("/") or folder.resolve() not in resolved.parents:
                problems.append(f"{page}: {attribute}={target!r} leaves the run folder")
            elif not resolved.is_file():
                problems.append(f"{page}: {attribute}={target!r} names no file")
            linked.add(resolved)
    for svg in folder.rglob("*.svg"):
        if not {"checkpoint", "best"} & set(svg.relative_to(folder).parts) and svg.resolve() not in linked:
            problems.append(f"{page}: {svg.relative_to(folder)} is not on the page")
    if not any(element.tag == NS + "img" for element in root.iter()):
        problems.append(f"{page}: shows no picture")
    return problems


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    problems = [p for folder in sys.argv[1:] for p in check(pathlib.Path(folder))]
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print(f"run pages OK: {', '.join(sys.argv[1:])}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
