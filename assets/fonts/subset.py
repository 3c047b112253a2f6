#!/usr/bin/env python3
"""Regenerate the map's font: Noto Sans CJK SC Regular (SIL OFL 1.1), subset to
printable ASCII plus every character the knowledge base's map labels use.

The labels are the ones `src/map/` draws and `src/kb` checks against this font:
product names (products.toml), the messages whose keys start with the prefixes below
(messages.toml), the source credit (source.toml) and the characters the code adds (CODE_CHARS).
Run it after changing any of them (the knowledge-base check names the character the
font lacks):

    pip install fonttools
    apt-get install fonts-noto-cjk          # Debian: /usr/share/fonts/opentype/noto/
    python3 assets/fonts/subset.py [--font PATH.ttc]

It writes assets/fonts/chars.txt (the characters, for review) and
assets/fonts/NotoSansCJKsc-Regular-subset.otf.
"""
import argparse
import pathlib
import subprocess
import sys
import tomllib

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CONFIG = ROOT / "config"
# Keep in step with `kb::FONT_CHECKED_MESSAGES` in src/kb/mod.rs.
PREFIXES = ("map.", "positioning.", "outlook.", "rule.", "footer.source")
# Characters the code itself puts into labels: Chinese rule numerals (第三定律, 推论五)
# and the enumeration comma joining a region's rules.
CODE_CHARS = "零一二三四五六七八九、"
OUT = HERE / "NotoSansCJKsc-Regular-subset.otf"
DEFAULT_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SC_INDEX = 2  # Noto Sans CJK SC in the collection


def texts():
    def load(name):
        with open(CONFIG / name, "rb") as f:
            return tomllib.load(f)

    for key, text in load("messages.toml")["message"].items():
        if key.startswith(PREFIXES):
            yield text["en"]
            yield text["zh"]
    for product in load("products.toml")["product"]:
        yield product["name"]["en"]
        yield product["name"]["zh"]
    source = load("source.toml")["source"]
    yield from (source["title"]["en"], source["title"]["zh"], source["author"], source["date"], source["url"])
    yield CODE_CHARS


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font", default=DEFAULT_FONT, help="the Noto Sans CJK Regular collection (.ttc)")
    args = parser.parse_args()
    chars = {chr(c) for c in range(0x20, 0x7F)}
    for t in texts():
        chars.update(c for c in t if c.isprintable())
    chars = "".join(sorted(chars))
    (HERE / "chars.txt").write_text(chars + "\n", encoding="utf-8")
    unicodes = ",".join(f"U+{ord(c):04X}" for c in chars)
    subprocess.run(
        [
            sys.executable, "-m", "fontTools.subset", args.font,
            f"--font-number={SC_INDEX}",
            f"--unicodes={unicodes}",
            f"--output-file={OUT}",
            "--layout-features=",
            "--no-hinting",
            "--name-IDs=*",
            "--name-languages=*",
        ],
        check=True,
    )
    print(f"{OUT.relative_to(ROOT)}: {len(chars)} characters, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
