#!/usr/bin/env python3
"""Generate policies/data/license-ids.txt, the data `aivet scan` uses to tell
which license a LICENSE, COPYING or NOTICE file (or a README's license
section) holds.

Two kinds of entry:

  text ID MODULUS WORDS HASH...
      For a license whose reference text the script is given (a file ID.txt
      in one of the folders named on the command line): the hashes of the
      word trigrams of the normalised text.  Long texts keep only the
      trigrams whose hash is divisible by MODULUS (sampling by hash is
      consistent: the scanner samples the text it identifies the same way).
      Only hashes are written: the data holds no copy of any text.

  markers ID NEED title:PHRASE|term:PHRASE|...
      For licenses whose reference text is not at hand (the AI model
      licenses) or that are often shipped as a short pointer (Creative
      Commons): a title that must appear near the top of the text, and
      distinctive defined terms.  A text is identified when a title and at
      least NEED phrases in all are found.  The phrases live in MARKERS below.

The normalisation (SPDX matching guidelines: case, whitespace, punctuation,
quotes, dashes, bullets and list numbering, copyright lines, http/https,
British spellings) must stay identical to engine/scan/licid.c: the unit test
tests/test_scan_text.c recomputes every shipped hash from the reference texts
and fails when the two disagree.

    python3 policies/gen-license-ids.py CORPUS/license-texts \\
        tests/fixtures/licenses/reference -o policies/data/license-ids.txt

The SPDX reference texts come from the SPDX license list (license-list-data's
text/ folder, or any folder of ID.txt files); MIT and ISC reference texts are
in tests/fixtures/licenses/reference.  Every id must be known to
policies/data/licenses.yaml, so that the license plugin can judge it.
"""

import argparse
import os
import re
import sys

# Phrases for licenses identified by their titles and terms.  Titles are
# matched within the first 60 words; terms anywhere.  (need, [phrases]).
MARKERS = {
    "llama2": (3, ["title:Llama 2 Community License Agreement", "term:Llama Materials",
                   "term:Llama 2 Version Release Date", "term:700 million monthly active users",
                   "term:Acceptable Use Policy"]),
    "llama3": (3, ["title:Meta Llama 3 Community License Agreement", "term:Llama Materials",
                   "term:Meta Llama 3 Version Release Date",
                   "term:700 million monthly active users", "term:Built with Meta Llama 3"]),
    "llama3.1": (3, ["title:Llama 3.1 Community License Agreement", "term:Llama Materials",
                     "term:Llama 3.1 Version Release Date",
                     "term:700 million monthly active users", "term:Built with Llama"]),
    "llama3.2": (3, ["title:Llama 3.2 Community License Agreement", "term:Llama Materials",
                     "term:Llama 3.2 Version Release Date",
                     "term:700 million monthly active users", "term:Built with Llama"]),
    "llama3.3": (3, ["title:Llama 3.3 Community License Agreement", "term:Llama Materials",
                     "term:Llama 3.3 Version Release Date",
                     "term:700 million monthly active users", "term:Built with Llama"]),
    "llama4": (3, ["title:Llama 4 Community License Agreement", "term:Llama Materials",
                   "term:Llama 4 Version Release Date",
                   "term:700 million monthly active users", "term:Built with Llama"]),
    "gemma": (3, ["title:Gemma Terms of Use", "term:Gemma Prohibited Use Policy",
                  "term:Model Derivatives", "term:Hosted Service", "term:Gemma Services"]),
    "creativeml-openrail-m": (3, ["title:CreativeML Open RAIL-M", "term:Use-based restrictions",
                                  "term:Attachment A", "term:Complementary Material"]),
    "openrail++": (3, ["title:CreativeML Open RAIL++-M License", "title:Open RAIL++-M License",
                       "term:Use-based restrictions", "term:Attachment A",
                       "term:Complementary Material"]),
    "bigscience-bloom-rail-1.0": (3, ["title:BigScience RAIL License v1.0",
                                      "term:Use-based restrictions", "term:Attachment A",
                                      "term:Complementary Material"]),
    "bigscience-openrail-m": (3, ["title:BigScience Open RAIL-M License",
                                  "term:Use-based restrictions", "term:Attachment A",
                                  "term:Complementary Material"]),
    "bigcode-openrail-m": (3, ["title:BigCode Open RAIL-M", "term:Use-based restrictions",
                               "term:Attachment A", "term:Complementary Material"]),
}

# Creative Commons 4.0: the title or the legal code's address is enough (a
# LICENSE file often only names the license and links to it).
for _cc, _title in (("BY", "Attribution"), ("BY-SA", "Attribution-ShareAlike"),
                    ("BY-NC", "Attribution-NonCommercial"),
                    ("BY-NC-SA", "Attribution-NonCommercial-ShareAlike"),
                    ("BY-ND", "Attribution-NoDerivatives"),
                    ("BY-NC-ND", "Attribution-NonCommercial-NoDerivatives")):
    MARKERS["CC-%s-4.0" % _cc] = (1, [
        "title:Creative Commons %s 4.0 International" % _title,
        "title:CC %s 4.0" % _cc,
        "title:creativecommons.org/licenses/%s/4.0" % _cc.lower(),
    ])

# ---- normalisation: the same rules as engine/scan/licid.c -----------------

VARIETAL = {
    "acknowledgement": "acknowledgment", "acknowledgements": "acknowledgments",
    "analogue": "analog", "authorisation": "authorization", "authorise": "authorize",
    "authorised": "authorized", "behaviour": "behavior", "cancelled": "canceled",
    "centre": "center", "colour": "color", "defence": "defense", "favour": "favor",
    "fulfil": "fulfill", "honour": "honor", "judgement": "judgment", "labour": "labor",
    "licence": "license", "licenced": "licensed", "licences": "licenses",
    "licencing": "licensing", "licencee": "licensee", "licencees": "licensees",
    "licencor": "licensor", "licencors": "licensors", "modelling": "modeling",
    "offence": "offense", "organisation": "organization", "organisations": "organizations",
    "organise": "organize", "practise": "practice", "programme": "program",
    "recognise": "recognize", "sublicence": "sublicense", "utilisation": "utilization",
    "utilise": "utilize",
}

MAX_TEXT = 1 << 20


def utf8(s, i):
    """(length, code point) of the UTF-8 sequence at s[i], or (0, None)."""
    b0 = s[i]
    if b0 < 0x80:
        return 1, b0
    if 0xF0 <= b0 <= 0xF4:
        n = 4
    elif b0 >= 0xE0:
        n = 3
    elif b0 >= 0xC2:
        n = 2
    else:
        return 0, None
    if n > len(s) - i or b0 > 0xF4:
        return 0, None
    c = b0 & (0x7F >> n)
    for k in range(1, n):
        if s[i + k] & 0xC0 != 0x80:
            return 0, None
        c = (c << 6) | (s[i + k] & 0x3F)
    if (n == 3 and c < 0x800) or (n == 4 and (c < 0x10000 or c > 0x10FFFF)) or \
            0xD800 <= c <= 0xDFFF:
        return 0, None
    return n, c


def separator_cp(c):
    return (c in (0xA0, 0xA7, 0xAB, 0xB7, 0xBB, 0x2022, 0x2023, 0x2026, 0x2212, 0x25AA,
                  0x25CF, 0x3000, 0xFEFF, 0xFFFD)
            or 0x2000 <= c <= 0x200B or 0x2010 <= c <= 0x2015 or 0x2018 <= c <= 0x201F)


def is_alnum(c):
    return 0x30 <= c <= 0x39 or 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A


def is_blank(c):
    return c in (0x20, 0x09, 0x0D, 0x0C, 0x0B)


def marker_label(lab):
    n = len(lab)
    if n == 0 or n > 6:
        return False
    if all(0x30 <= c <= 0x39 for c in lab):
        return n <= 3
    if n == 1 and is_alnum(lab[0]):
        return True
    return all(chr(c) in "ivxlcIVXLC" for c in lab)


def skip_lead(s, i):
    n = len(s)
    while i < n:
        c = s[i]
        if is_blank(c) or (c < 0x80 and not is_alnum(c) and c != 0x28 and c > 0x20):
            i += 1
            continue
        if c >= 0x80:
            ln, cp = utf8(s, i)
            if ln and separator_cp(cp):
                i += ln
                continue
            if ln == 0:
                i += 1
                continue
        break
    return i


def strip_markers(s):
    n = len(s)
    i = 0
    for _ in range(4):
        j = skip_lead(s, i)
        if j < n and s[j] == 0x28:
            a = b = j + 1
            while b < n and is_alnum(s[b]) and b - a <= 6:
                b += 1
            if b < n and s[b] == 0x29 and marker_label(s[a:b]) and \
                    (b + 1 == n or is_blank(s[b + 1])):
                i = b + 1
                continue
            break
        a = b = j
        while b < n and is_alnum(s[b]) and b - a <= 6:
            b += 1
        if b < n and s[b] in (0x2E, 0x29) and marker_label(s[a:b]) and \
                (b + 1 == n or is_blank(s[b + 1])):
            i = b + 1
            continue
        break
    return i


def is_year(w):
    return len(w) == 4 and 0x31 <= w[0] <= 0x32 and all(0x30 <= c <= 0x39 for c in w[1:])


def copyright_line(t):
    if len(t) >= 2 and t[0] == b"copyright" and \
            (t[1] == b"c" or is_year(t[1]) or t[1] in (b"year", b"yyyy")):
        return True
    if len(t) >= 2 and t[0] == b"c" and is_year(t[1]):
        return True
    return t == [b"all", b"rights", b"reserved"]


def line_words(s):
    n = len(s)
    i = strip_markers(s)
    toks = []
    cur = None
    while i < n:
        c = s[i]
        ln = 1
        if c >= 0x80:
            ln, cp = utf8(s, i)
            if ln == 0:
                ln, wc = 1, False
            elif cp == 0xA9:
                if cur is not None:
                    toks.append(bytes(cur))
                cur = None
                toks.append(b"c")
                i += ln
                continue
            else:
                wc = not separator_cp(cp)
        elif is_alnum(c):
            wc = True
            if 0x41 <= c <= 0x5A:
                c += 0x20
        elif c == 0x2E and cur is not None and i > 0 and 0x30 <= s[i - 1] <= 0x39 and \
                i + 1 < n and 0x30 <= s[i + 1] <= 0x39:
            wc = True
        elif c == 0x2B and cur is not None:
            wc = True
        else:
            wc = False
        if wc:
            if cur is None:
                cur = bytearray()
            if c >= 0x80:
                cur += s[i:i + ln]
            else:
                cur.append(c)
        elif cur is not None:
            toks.append(bytes(cur))
            cur = None
        i += ln
    if cur is not None:
        toks.append(bytes(cur))
    if not toks or copyright_line(toks):
        return []
    out = []
    for t in toks:
        if t in (b"http", b"https"):
            continue
        out.append(VARIETAL.get(t.decode("latin-1"), t.decode("latin-1")).encode("latin-1")
                   if t.isascii() else t)
    return out


def normalise(data):
    """The words of a text (bytes), as engine/scan/licid.c finds them."""
    data = data[:MAX_TEXT]
    words = []
    for ln in data.split(b"\n"):
        words.extend(line_words(ln))
    return words


def fnv(h, s):
    for b in s:
        h ^= b
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def hash3(a, b, c):
    h = fnv(2166136261, a + b" " + b + b" " + c)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return h


def trigrams(words):
    return {hash3(words[i], words[i + 1], words[i + 2]) for i in range(len(words) - 2)}


# ---- output ------------------------------------------------------------------

def known_ids(path):
    ids = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*- \{id: ([^,]+),", line)
            if m:
                ids.add(m.group(1).strip().strip('"').lower())
    return ids


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", help="folders of reference texts named ID.txt")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--knowledge-base", default=os.path.join(os.path.dirname(__file__), "data",
                                                             "licenses.yaml"))
    args = ap.parse_args()
    known = known_ids(args.knowledge_base)
    texts = {}
    for folder in args.folders:
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".txt"):
                continue
            lid = name[:-4]
            with open(os.path.join(folder, name), "rb") as f:
                texts[lid] = normalise(f.read())
    missing = [i for i in list(texts) + list(MARKERS) if i.lower() not in known]
    if missing:
        sys.exit("not in the license knowledge base: " + ", ".join(missing))
    lines = [
        "# aivet license identification data, generated by policies/gen-license-ids.py from",
        "# reference texts: word-trigram hashes and title phrases only, no license text.",
        "# Do not edit: change the script or its inputs and run it again.",
        "aivet-license-ids 1",
    ]
    for lid in sorted(texts, key=str.lower):
        words = texts[lid]
        grams = trigrams(words)
        modulus = 1 if len(grams) < 1200 else 4
        kept = sorted(h for h in grams if h % modulus == 0)
        lines.append("text %s %d %d %s" % (lid, modulus, len(words),
                                           " ".join("%08x" % h for h in kept)))
    for lid in sorted(MARKERS, key=str.lower):
        need, phrases = MARKERS[lid]
        out = []
        for p in phrases:
            kind, text = p.split(":", 1)
            out.append("%s:%s" % (kind, b" ".join(normalise(text.encode())).decode()))
        lines.append("markers %s %d %s" % (lid, need, "|".join(out)))
    with open(args.output, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("%d reference texts, %d marker entries" % (len(texts), len(MARKERS)), file=sys.stderr)


if __name__ == "__main__":
    main()
