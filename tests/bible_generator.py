#!/usr/bin/env python3
"""tools/datasets/bible.py on a committed excerpt of diatheke's output (tests/data/bible_excerpt_*.txt),
so the suite checks the parser and the links without diatheke: tokens, Strong's tags, sure and
possible links, dropped markup, book names with spaces, the split rule."""
import importlib.util
import sys
from pathlib import Path

top = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("bible", top / "tools" / "datasets" / "bible.py")
bible = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bible)

failures = 0


def check(condition, what):
    global failures
    if not condition:
        failures += 1
        print(f"FAILED: {what}", file=sys.stderr)


web = bible.parse_module((top / "tests/data/bible_excerpt_web.txt").read_text(encoding="utf-8"))
rv = bible.parse_module((top / "tests/data/bible_excerpt_rv.txt").read_text(encoding="utf-8"))
keys = [("Genesis", 1, 1), ("Genesis", 1, 2), ("Genesis", 1, 9), ("Psalms", 3, 1), ("John", 3, 16), ("Revelation of John", 22, 21)]
check(list(web) == keys and list(rv) == keys, f"verse keys: {list(web)} / {list(rv)}")

words = lambda verse: " ".join(w for w, _ in verse)
# two word elements with nothing between them are two words; punctuation stands alone; lower case
check(words(web[("Genesis", 1, 1)]) == "in the beginning , god created the heavens and the earth .", words(web[("Genesis", 1, 1)]))
check(words(rv[("Genesis", 1, 1)]) == "en el principio crió dios los cielos y la tierra .", words(rv[("Genesis", 1, 1)]))
# a title before the verse is not part of it (the WEB puts psalm superscriptions there)
check(not words(web[("Psalms", 3, 1)]).startswith("a psalm"), words(web[("Psalms", 3, 1)]))
# every token of a tagged phrase carries the tag; untagged tokens carry none
check(dict(rv[("Genesis", 1, 1)][:3]) == {"en": {"H7225"}, "el": {"H7225"}, "principio": {"H7225"}}, rv[("Genesis", 1, 1)][:3])
check(web[("Genesis", 1, 1)][3] == (",", set()), web[("Genesis", 1, 1)][3])

# links: "created" (5) and "crió" (3) share H1254, once on each side: sure; "beginning" (2) and the
# phrase "en el principio" (0-2) share H7225 over three Spanish tokens: possible
sure, possible = bible.links(web[("Genesis", 1, 1)], rv[("Genesis", 1, 1)])
check((5, 3) in sure, f"sure links {sure}")
check({(2, 0), (2, 1), (2, 2)} <= set(possible), f"possible links {possible}")
check(not set(sure) & set(possible), "a link is sure or possible, not both")

# the adjective-noun crossing of John 3:16: "eternal life" -> "vida eterna"
en, es = web[("John", 3, 16)], rv[("John", 3, 16)]
eternal, life = [w for w, _ in en].index("eternal"), [w for w, _ in en].index("life")
vida, eterna = [w for w, _ in es].index("vida"), [w for w, _ in es].index("eterna")
sure, _ = bible.links(en, es)
check((eternal, eterna) in sure and (life, vida) in sure and vida < eterna and eternal < life, f"John 3:16 links {sure}")

# the written line: tokens, then "s-t" sure and "s?t" possible links
line = bible.line_of(web[("Genesis", 1, 1)], rv[("Genesis", 1, 1)])
check(line.startswith("in the beginning , god created") and "\t5-3 " in line and " 2?0 " in line, line)

# the split: parallel books only train; a chapter's verses share their split
check(bible.split_of("Matthew", 5) == "train" and bible.split_of("II Kings", 3) == "train", "parallel books train only")
check(bible.split_of("Ruth", 2) == bible.split_of("Ruth", 2), "the split is a fixed function")

# the whole build: psalm verse 1 left out, long verses filtered, counts reported
splits, report = bible.build((top / "tests/data/bible_excerpt_web.txt").read_text(encoding="utf-8"),
                             (top / "tests/data/bible_excerpt_rv.txt").read_text(encoding="utf-8"))
check(report["paired"] == 6 and report["psalm verses 1 (superscriptions)"] == 1, report)
check(sum(len(v) for v in splits.values()) == 6 - 1 - report[f"longer than {bible.MAX_TOKENS} tokens"], report)

print("bible generator: all checks passed" if failures == 0 else f"bible generator: {failures} checks failed")
sys.exit(1 if failures else 0)
