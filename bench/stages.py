#!/usr/bin/env python3
"""stages.py RUN_DIR...: where `migrate check`'s time goes, per run folder of run.sh.

Reads stages.txt (the `--timings` lines of each repetition), floor.jsonl (the catalog queries
run alone) and timings.jsonl (wall time of the whole process); prints a markdown table of
medians in milliseconds."""
import json
import os
import re
import statistics
import sys

STAGES = ["connect", "history", "catalog_queries", "assemble", "entities", "diff", "report", "total"]


def main(dirs):
    print("\n### Where `migrate check`'s time goes (medians, ms)\n")
    print("| run | " + " | ".join(s.replace("_", " ") for s in STAGES)
          + " | queries alone (floor) | rows | process wall |")
    print("|---|" + "---|" * (len(STAGES) + 3))
    for d in sorted(dirs, key=lambda d: (os.path.basename(d.rstrip("/")).split("_N")[0],
                                         int(re.search(r"_N(\d+)", d).group(1)))):
        values, rows = {s: [] for s in STAGES}, None
        path = os.path.join(d, "stages.txt")
        if not os.path.exists(path):
            continue
        for line in open(path):
            if not line.startswith("check "):
                continue
            for name, rows_text, ms in re.findall(r"(\w+)(?:\[(\d+)rows\])?=([\d.]+)ms", line):
                if name in values:
                    values[name].append(float(ms))
                if rows_text:
                    rows = int(rows_text)
        floor = [json.loads(l)["seconds"] * 1000 for l in open(os.path.join(d, "floor.jsonl"))]
        walls = [json.loads(l)["wall_s"] * 1000 for l in open(os.path.join(d, "timings.jsonl"))
                 if json.loads(l)["label"] == "migrate check"]
        med = lambda xs: "%.1f" % statistics.median(xs) if xs else "-"
        print("| %s | %s | %s | %s | %s |" % (
            os.path.basename(d.rstrip("/")), " | ".join(med(values[s]) for s in STAGES),
            med(floor), rows, med(walls)))


if __name__ == "__main__":
    main(sys.argv[1:])
