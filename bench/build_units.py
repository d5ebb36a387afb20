#!/usr/bin/env python3
"""build_units.py CARGO_TIMING_HTML: how long cargo spent on each part of a build, from the unit
data that `cargo build --timings` embeds in its HTML report. Prints timings.jsonl rows (setup
rows of the kit's format): the generated entity crates, the binary's own crate (the entity
registry), the engine and CLI, and everything else; each is the sum of its units' compile times."""
import json
import re
import sys

html = open(sys.argv[1]).read()
data = json.loads(re.search(r"const UNIT_DATA = (\[.*?\n\]);", html, re.S).group(1))
groups = {}
for unit in data:
    name = unit["name"]
    if name.startswith("bench-entity-"):
        group = "entity crates"
    elif name.startswith("bench-app-"):
        group = "binary crate (entity registry)"
    elif name in ("sea-orm-autogen", "migrate-cli", "sea-orm-autogen-discover"):
        group = "engine and CLI"
    else:
        group = "dependencies"
    count, total = groups.get(group, (0, 0.0))
    groups[group] = (count + 1, total + unit["duration"])
for group, (count, total) in groups.items():
    print(json.dumps({"label": "setup: (cargo --timings) %s, %d units, summed" % (group, count),
                      "rep": 0, "wall_s": round(total, 2), "rss_mb": 0.0, "rc": 0}))
