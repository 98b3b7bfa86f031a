#!/usr/bin/env python3
"""Checks pcamgo notebooks (standard library only).

  notebook-check.py --clean notebooks/*.ipynb     sources are committed without outputs
  notebook-check.py executed/*.ipynb              executed copies: no error output, every code
                                                  cell ran, rich outputs present

A notebook lists the rich outputs it must produce in its metadata:
  "metadata": {"pcamgo": {"expect": ["gonbext-grid", "<svg", ...]}}
each string must appear in some text/html or image/svg+xml output (image/png outputs count as
"image/png"). Without that list, at least one rich output (text/html or image/png) is required.
"""
import json
import sys

RICH = ("text/html", "image/png", "image/svg+xml")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_clean(path, nb):
    errs = []
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] != "code":
            continue
        if c.get("outputs"):
            errs.append(f"cell {i} has outputs (clear them before committing)")
        if c.get("execution_count") is not None:
            errs.append(f"cell {i} has an execution count")
    if nb.get("metadata", {}).get("kernelspec", {}).get("name") != "gonb":
        errs.append("kernelspec is not gonb")
    if not nb["cells"] or nb["cells"][0]["cell_type"] != "markdown":
        errs.append("the first cell must be Markdown explaining the guide section")
    return errs


def check_executed(path, nb):
    errs = []
    rich_text = []
    rich = 0
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] != "code":
            continue
        if c.get("execution_count") is None:
            errs.append(f"cell {i} did not run")
        for o in c.get("outputs", []):
            if o.get("output_type") == "error":
                errs.append(f"cell {i}: {o.get('ename')}: {o.get('evalue')}")
            data = o.get("data", {})
            for mime in RICH:
                if mime in data:
                    rich += 1
                    v = data[mime]
                    rich_text.append(mime if mime == "image/png" else (v if isinstance(v, str) else "".join(v)))
            if o.get("name") == "stderr":
                text = "".join(o.get("text", []))
                if "panic:" in text or "ERROR" in text:
                    errs.append(f"cell {i} wrote an error to stderr: {text[:300]}")
    expect = nb.get("metadata", {}).get("pcamgo", {}).get("expect")
    if expect is None:
        if rich == 0:
            errs.append("no rich output (text/html or image/png)")
    else:
        blob = "\n".join(rich_text)
        for e in expect:
            if e not in blob:
                errs.append(f"expected rich output containing {e!r}")
    return errs, rich


def main(argv):
    clean = "--clean" in argv
    paths = [a for a in argv if a != "--clean"]
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    failed = False
    for p in paths:
        nb = load(p)
        if clean:
            errs, extra = check_clean(p, nb), ""
        else:
            errs, rich = check_executed(p, nb)
            extra = f" ({rich} rich outputs)"
        if errs:
            failed = True
            for e in errs:
                print(f"FAIL {p}: {e}")
        else:
            print(f"ok   {p}{extra}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
