#!/usr/bin/env python3
"""Write tests/article/runs.txt: the FNV-1a 64 hashes of every run of four Han
characters in the article imlaws paraphrases, so tests/own_words.rs can tell a
clause that follows the article's prose from one in our own words without the
repository carrying the article's text.

Run once from anywhere, with the article beside the repository (../shared/seed/):

    python3 tests/article/make_hashes.py [path/to/article.txt]

Runs are taken inside stretches of Han characters only (punctuation, Latin letters,
digits and spaces end a stretch), exactly as the Rust test takes them from a clause.
"""

import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEFAULT = ROOT.parent / "shared" / "seed" / "000_d48590d4ba593d97.txt"
OUT = HERE / "runs.txt"


def is_han(c: str) -> bool:
    o = ord(c)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def runs(text: str):
    stretch = []
    for c in text + "\n":
        if is_han(c):
            stretch.append(c)
            continue
        for i in range(len(stretch) - 3):
            yield "".join(stretch[i : i + 4])
        stretch = []


def main() -> None:
    src = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    text = src.read_text(encoding="utf-8")
    hashes = sorted({fnv1a64(r.encode("utf-8")) for r in runs(text)})
    OUT.write_text("".join(f"{h:016x}\n" for h in hashes), encoding="ascii")
    print(f"{len(hashes)} runs from {src} -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
