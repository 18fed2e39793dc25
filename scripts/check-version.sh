#!/usr/bin/env bash
# Checks that the one version of iamkit, `[workspace.package] version` in the root
# Cargo.toml, is the version every manifest ships with:
#
#   - python/pyproject.toml            [project] version, or, when it is dynamic,
#                                      the version of the Cargo manifest maturin builds
#   - node/package.json                version
#   - node/package-lock.json           version and packages[""].version
#   - every workspace crate            version.workspace = true (no version of its own)
#   - Cargo.toml [workspace.dependencies]
#                                      the version of each path dependency
#                                      (iamkit, iamkit-server), which `cargo publish` needs
#   - Cargo.lock                       the workspace crates' entries (builds use --locked)
#
# Usage: bash scripts/check-version.sh [TAG]
#   TAG (optional) is a release tag such as v0.1.0 (or refs/tags/v0.1.0); it must
#   name the same version.
#
# Prints each file and its version and exits 1 on any disagreement.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -gt 1 ]; then
  echo "usage: bash scripts/check-version.sh [TAG]   (e.g. v0.1.0)" >&2
  exit 2
fi

python=python3
if ! command -v "$python" >/dev/null 2>&1; then python=python; fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "check-version.sh: needs Python 3.11 or newer (for tomllib) as python3" >&2
  exit 2
fi

exec "$python" - "$@" <<'PY'
import glob
import json
import os
import re
import sys
import tomllib

tag = sys.argv[1] if len(sys.argv) > 1 else None


def load_toml(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


root = load_toml("Cargo.toml")
try:
    version = root["workspace"]["package"]["version"]
except KeyError:
    print("Cargo.toml: no [workspace.package] version; it is the one version of iamkit")
    sys.exit(1)

# (file, what, version found or None, problem or None)
rows = []


def expect(path, what, found):
    if found is None:
        rows.append((path, what, None, f"no {what}"))
    elif found != version:
        rows.append((path, what, found, f"{found} is not {version}"))
    else:
        rows.append((path, what, found, None))


rows.append(("Cargo.toml", "[workspace.package] version", version, None))

# Python
pyproject = load_toml("python/pyproject.toml")
project = pyproject.get("project", {})
if "version" in project.get("dynamic", []):
    # maturin fills a dynamic version in from the Cargo manifest it builds.
    backend = pyproject.get("build-system", {}).get("build-backend")
    manifest = pyproject.get("tool", {}).get("maturin", {}).get("manifest-path", "Cargo.toml")
    manifest = os.path.normpath(os.path.join("python", manifest)).replace(os.sep, "/")
    what = f"[project] version (dynamic, from {manifest})"
    if "version" in project:
        rows.append(("python/pyproject.toml", what, project["version"],
                     "version is both set and listed in dynamic"))
    elif backend != "maturin":
        rows.append(("python/pyproject.toml", what, None,
                     f"a dynamic version needs the maturin build backend, not {backend}"))
    elif not os.path.isfile(manifest):
        rows.append(("python/pyproject.toml", what, None, f"{manifest} does not exist"))
    else:
        v = load_toml(manifest).get("package", {}).get("version")
        expect("python/pyproject.toml", what, version if v == {"workspace": True} else v)
else:
    expect("python/pyproject.toml", "[project] version", project.get("version"))

# Node
package = load_json("node/package.json")
expect("node/package.json", "version", package.get("version"))
lock = load_json("node/package-lock.json")
expect("node/package-lock.json", "version", lock.get("version"))
expect("node/package-lock.json", 'packages[""].version',
       lock.get("packages", {}).get("", {}).get("version"))

# Workspace crates: each takes the workspace version.
members = []
for pattern in root["workspace"].get("members", []):
    for d in sorted(glob.glob(pattern)):
        if os.path.isfile(os.path.join(d, "Cargo.toml")):
            members.append(os.path.normpath(d))
excluded = {os.path.normpath(e) for e in root["workspace"].get("exclude", [])}
crate_names = []
for d in members:
    if d in excluded:
        continue
    path = os.path.join(d, "Cargo.toml").replace(os.sep, "/")
    pkg = load_toml(path).get("package", {})
    crate_names.append(pkg.get("name"))
    v = pkg.get("version")
    if v == {"workspace": True}:
        rows.append((path, "version.workspace = true", version, None))
    elif isinstance(v, str):
        rows.append((path, "version", v,
                     f"has its own version {v}; write version.workspace = true"))
    else:
        rows.append((path, "version", None,
                     "no version; write version.workspace = true"))

# Path dependencies in [workspace.dependencies]: cargo publish needs their version.
deps = root["workspace"].get("dependencies", {})
path_deps = {name: spec for name, spec in deps.items()
             if isinstance(spec, dict) and "path" in spec}
for name in ("iamkit", "iamkit-server"):
    if name not in path_deps:
        rows.append(("Cargo.toml", f"[workspace.dependencies] {name}", None,
                     f"no path dependency {name} in [workspace.dependencies]"))
for name, spec in path_deps.items():
    what = f"[workspace.dependencies] {name}"
    if "version" not in spec:
        rows.append(("Cargo.toml", what, None,
                     f'{name} = {{ path = "{spec["path"]}" }} has no version key; '
                     f'add version = "{version}" (cargo publish refuses a path '
                     "dependency without one)"))
    else:
        # A requirement such as "0.1.0" or "=0.1.0" must name this very version.
        found = spec["version"]
        bare = re.sub(r"^[=^~]\s*", "", found)
        if bare != version:
            rows.append(("Cargo.toml", what, found, f"{found} is not {version}"))
        else:
            rows.append(("Cargo.toml", what, found, None))

# Cargo.lock: the workspace crates' own entries (no source).
if os.path.isfile("Cargo.lock"):
    locked = {p["name"]: p.get("version") for p in load_toml("Cargo.lock").get("package", [])
              if "source" not in p}
    for name in crate_names:
        if name in locked:
            v = locked[name]
            rows.append(("Cargo.lock", name, v,
                         None if v == version else
                         f"{v} is not {version}; run cargo update -w (--locked builds fail)"))

# The tag
if tag is not None:
    name = tag.removeprefix("refs/tags/")
    m = re.fullmatch(r"v(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)", name)
    if not m:
        rows.append((f"tag {tag}", "version", None,
                     "is not a release tag of the form vX.Y.Z"))
    else:
        expect(f"tag {name}", "version", m.group(1))

problems = [r for r in rows if r[3] is not None]
if problems:
    width = max(len(f"{r[0]} ({r[1]})") for r in rows)
    print(f"iamkit versions disagree (the version is {version}, from Cargo.toml "
          "[workspace.package]):")
    for path, what, found, problem in rows:
        mark = "ok   " if problem is None else "BAD  "
        shown = found if found is not None else "-"
        line = f"{mark}{f'{path} ({what})':<{width}}  {shown}"
        print(line + (f"   <- {problem}" if problem else ""))
    sys.exit(1)

if tag is not None:
    print(f"tag {tag.removeprefix('refs/tags/')} names version {version}")
print(f"version {version} agrees across Cargo, pyproject and package.json")
PY
