"""Adds callgrind's instruction count per operation to the lines `bench_ops op`
prints (read on standard input), from `callgrind_annotate --inclusive=yes`.

``bench_ops op NAME N [M] | python bench/callgrind.py ANNOTATED NAME N [M]``: the
callgrind run made N operations (and M look-ups for ``scim``); the native run on
standard input may make more.
"""

from __future__ import annotations

import json
import re
import sys

# Which `measured*` function of bench_ops runs each operation.
FUNCTION = {"scim_filter": "measured_filter", "scim_lookup": "measured_lookup"}


def inclusive(annotated: str) -> dict[str, int]:
    """Inclusive instructions of each `bench_ops::measured*` function."""
    counts = {}
    for line in annotated.splitlines():
        match = re.match(r"\s*([\d,]+) .*bench_ops::(measured\w*)\b", line)
        if match:
            counts[match.group(2)] = int(match.group(1).replace(",", ""))
    return counts


def main() -> None:
    with open(sys.argv[1]) as f:
        counts = inclusive(f.read())
    runs = [int(x) for x in sys.argv[3:]]
    for i, line in enumerate(sys.stdin):
        result = json.loads(line)
        function = FUNCTION.get(result["op"], "measured")
        if function not in counts:
            sys.exit(f"callgrind counted nothing in {function}: {sorted(counts)}")
        result["instructions"] = counts[function] / runs[i]
        result["callgrind_runs"] = runs[i]
        print(json.dumps(result))


if __name__ == "__main__":
    main()
