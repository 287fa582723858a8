#!/usr/bin/env python3
"""English-Spanish Bible, verse-aligned, with gold word alignments from Strong's numbers.

Reads the World English Bible (engWEB2015eb) and the Reina-Valera 1909 (spaRV1909eb), both public
domain, from Debian's SWORD modules through diatheke (apt-get install diatheke sword-text-web
sword-text-sparv), and writes datasets/bible/{train,valid,test}.tsv in the aligned format of
datasets/toy_translation: english<TAB>spanish<TAB>links (datasets/README.md, "bible/"), and beside
each a .refs file naming each line's verse ("Genesis 2:1").

    tools/datasets/bible.py --out datasets/bible                    # runs diatheke
    tools/datasets/bible.py --out DIR --english web.txt --spanish rv.txt   # from saved diatheke output

How a link is made. Both translations tag their words with the Strong's number of the Hebrew or
Greek word they render: <w savlm="strong:G2222">life</w>, <w savlm="strong:G2222">vida</w>.
An English token and a Spanish token of the same verse that share a number are linked. A link is
sure ("s-t") when its number tags exactly one token on each side; otherwise it is possible
("s?t"): a number on a Spanish phrase ("de tal manera") or on several words links every pair of
them, and those pairs are what Och & Ney's possible links are for. Untagged words (punctuation,
words the translators added) get no link.

Only the standard library; the build and the tests never need diatheke (tests/bible_generator.py
runs the parser on a committed excerpt).
"""

import argparse
import hashlib
import re
import string
import subprocess
import sys
from pathlib import Path

MAX_TOKENS = 25  # per side, punctuation included: keeps the corpus small and the sentences trainable

# Books whose passages recur nearly word for word elsewhere (Samuel-Kings-Chronicles, the synoptic
# gospels, Ezra-Nehemiah's lists): they stay in training, so no test verse has a near-copy there.
PARALLEL_BOOKS = {"I Samuel", "II Samuel", "I Kings", "II Kings", "I Chronicles", "II Chronicles", "Ezra", "Nehemiah",
                  "Matthew", "Mark", "Luke"}
HEADER = re.compile(r"((?:I{1,3} )?[A-Z][a-z]+(?: of [A-Z][a-z]+| \(Greek\)| [A-Z][a-z]+)*) (\d+):(\d+): ")
WORD = re.compile(r'<w\b([^>]*)>(.*?)</w>', re.S)
STRONG = re.compile(r"strong:([GH])0*(\d+)")
DROP = re.compile(r"<title\b[^>]*>.*?</title>|<note\b[^>]*>.*?</note>", re.S)
TAG = re.compile(r"<[^>]*>")

SPACES = set(" \t\n\r\x0b\x0c\xa0\u202f\u3000") | {chr(c) for c in range(0x2000, 0x200B)}
MARKS = set("¡¿«»“”„–—‹›")


def is_punctuation(c):
    """The word tokeniser's rule (src/data/text.cpp): a mark that is a token of its own."""
    return (c in string.punctuation and c not in "'-") or c in MARKS


def lower(c):
    """One-to-one lower-casing, as attn::lower_code_point (a two-code-point lower case is left alone)."""
    low = c.lower()
    return low if len(low) == 1 else c


def tokens_with_tags(segments):
    """[(text, tags)] -> [(token, tags)]: the word tokeniser of src/data/text.cpp (lower-cased),
    each token carrying the union of the Strong's numbers of its characters."""
    out, word, tags = [], "", set()

    def flush():
        nonlocal word, tags
        if word:
            out.append((word, tags))
        word, tags = "", set()

    for text, numbers in segments:
        for c in text:
            if c in "\u2019\u2018\u02bc":
                c = "'"
            if c in SPACES:
                flush()
            elif c == "\u2026":
                flush()
                out.extend((".", set()) for _ in range(3))
            elif is_punctuation(c):
                flush()
                out.append((c, set()))
            else:
                word += lower(c)
                tags = tags | numbers
    flush()
    return out


def parse_verse(markup):
    """A verse's OSIS markup -> [(token, tags)]."""
    markup = DROP.sub(" ", markup)
    segments, at = [], 0
    for m in WORD.finditer(markup):
        between = TAG.sub("", markup[at:m.start()])
        # two word elements with nothing between them are two words ("<w>God</w><w>created</w>");
        # plain text right after an element continues its word ("<w>God</w>’s")
        segments.append((between if between or not segments else " ", set()))
        numbers = {f"{letter}{int(n)}" for letter, n in STRONG.findall(m.group(1))}
        segments.append((TAG.sub("", m.group(2)), numbers))
        at = m.end()
    segments.append((TAG.sub("", markup[at:]), set()))
    return tokens_with_tags(segments)


def parse_module(text):
    """diatheke output -> {(book, chapter, verse): [(token, tags)]}, in order."""
    text = re.sub(r"\n\([A-Za-z0-9]+\)\s*$", "", text.rstrip() + "\n")  # the module name it ends with
    headers = list(HEADER.finditer(text))
    verses = {}
    for k, h in enumerate(headers):
        end = headers[k + 1].start() if k + 1 < len(headers) else len(text)
        verses[(h.group(1), int(h.group(2)), int(h.group(3)))] = parse_verse(text[h.end():end])
    return verses


def links(english, spanish):
    """Sure and possible links (s, t) between two tagged token lists (see the top of this file)."""
    count_en, count_es = {}, {}
    for _, tags in english:
        for n in tags:
            count_en[n] = count_en.get(n, 0) + 1
    for _, tags in spanish:
        for n in tags:
            count_es[n] = count_es.get(n, 0) + 1
    sure, possible = [], []
    for s, (_, a) in enumerate(english):
        for t, (_, b) in enumerate(spanish):
            shared = a & b
            if not shared:
                continue
            if any(count_en[n] == 1 and count_es[n] == 1 for n in shared):
                sure.append((s, t))
            else:
                possible.append((s, t))
    return sure, possible


def line_of(english, spanish):
    sure, possible = links(english, spanish)
    text = " ".join([f"{s}-{t}" for s, t in sure] + [f"{s}?{t}" for s, t in possible])
    return f"{' '.join(w for w, _ in english)}\t{' '.join(w for w, _ in spanish)}\t{text}\n"


def split_of(book, chapter):
    """valid, test or train, by chapter: a fixed hash, so reruns agree; parallel books train only."""
    if book in PARALLEL_BOOKS:
        return "train"
    h = int(hashlib.sha256(f"{book} {chapter}".encode()).hexdigest(), 16) % 100
    return "test" if h < 4 else "valid" if h < 7 else "train"


def build(english_text, spanish_text):
    english, spanish = parse_module(english_text), parse_module(spanish_text)
    paired = [k for k in english if k in spanish]
    report = {"english verses": len(english), "spanish verses": len(spanish), "paired": len(paired)}
    splits = {"train": [], "valid": [], "test": []}
    too_long = empty = 0
    superscriptions = 0
    for key in paired:
        en, es = english[key], spanish[key]
        if key[0] == "Psalms" and key[2] == 1:
            # the Reina-Valera counts a psalm's superscription ("Salmo de David, cuando huía ...") as
            # part of verse 1, the WEB as a heading before it: the two verses 1 do not match
            superscriptions += 1
            continue
        if not en or not es:
            empty += 1
            continue
        if len(en) > MAX_TOKENS or len(es) > MAX_TOKENS:
            too_long += 1
            continue
        splits[split_of(key[0], key[1])].append((key, en, es))
    # a valid or test verse whose English or Spanish also occurs in training is dropped (a repeated
    # refrain would be tested on its own training example)
    seen = {(" ".join(w for w, _ in en)) for _, en, _ in splits["train"]} | {(" ".join(w for w, _ in es)) for _, _, es in splits["train"]}
    repeated = 0
    for name in ("valid", "test"):
        kept = []
        for item in splits[name]:
            if " ".join(w for w, _ in item[1]) in seen or " ".join(w for w, _ in item[2]) in seen:
                repeated += 1
            else:
                kept.append(item)
        splits[name] = kept
    report.update({"psalm verses 1 (superscriptions)": superscriptions, "empty": empty, f"longer than {MAX_TOKENS} tokens": too_long,
                   "repeated in training": repeated})
    report.update({name: len(items) for name, items in splits.items()})
    return splits, report


def diatheke(module):
    try:
        return subprocess.run(["diatheke", "-b", module, "-k", "Genesis-Revelation"], capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        sys.exit("bible.py: diatheke is not installed (apt-get install diatheke sword-text-web sword-text-sparv)")
    except subprocess.CalledProcessError as error:
        sys.exit(f"bible.py: diatheke failed on {module}: {error.stderr.strip()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="the folder for train.tsv, valid.tsv, test.tsv")
    parser.add_argument("--english", help="saved output of: diatheke -b engWEB2015eb -k Genesis-Revelation")
    parser.add_argument("--spanish", help="saved output of: diatheke -b spaRV1909eb -k Genesis-Revelation")
    args = parser.parse_args()
    read = lambda path: Path(path).read_text(encoding="utf-8")
    english = read(args.english) if args.english else diatheke("engWEB2015eb")
    spanish = read(args.spanish) if args.spanish else diatheke("spaRV1909eb")
    splits, report = build(english, spanish)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, items in splits.items():
        (out / f"{name}.tsv").write_text("".join(line_of(en, es) for _, en, es in items), encoding="utf-8")
        # which verse each line is (book chapter:verse), line for line: labels for tasks on the text
        (out / f"{name}.refs").write_text("".join(f"{book} {chapter}:{verse}\n" for (book, chapter, verse), _, _ in items), encoding="utf-8")
    print(", ".join(f"{k}: {v}" for k, v in report.items()))


if __name__ == "__main__":
    main()
