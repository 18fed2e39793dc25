#!/usr/bin/env python3
"""Prints the median of each criterion benchmark under target/criterion as a
Markdown table row: name, median time, operations per second.

Usage: python3 scripts/criterion-table.py [name-prefix ...]
"""
import glob
import json
import os
import sys

root = os.path.join(os.path.dirname(__file__), "..", "target", "criterion")
prefixes = sys.argv[1:]
print("| benchmark | median | per second |")
print("|---|---:|---:|")
for path in sorted(glob.glob(os.path.join(root, "**", "new", "estimates.json"), recursive=True)):
    name = os.path.relpath(os.path.dirname(os.path.dirname(path)), root)
    if prefixes and not any(name.startswith(p) for p in prefixes):
        continue
    with open(path) as f:
        median_ns = json.load(f)["median"]["point_estimate"]
    if median_ns >= 1e6:
        shown = f"{median_ns / 1e6:.2f} ms"
    elif median_ns >= 1e3:
        shown = f"{median_ns / 1e3:.2f} µs"
    else:
        shown = f"{median_ns:.0f} ns"
    print(f"| {name} | {shown} | {1e9 / median_ns:,.0f} |")
