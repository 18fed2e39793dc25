"""Install times and sizes of the shipped artifacts, beside the builds from source.

Run after `bash scripts/package.sh`:

    python3 bench/install.py [RUNS]

Each artifact is installed RUNS times (default 5) into a new scratch directory with
no Rust toolchain on PATH, as a user installs it: the wheel with pip into a fresh
venv (the venv's creation is not counted), the two npm tarballs with npm into an
empty project, the binary's tarball checked against its SHA-256 and unpacked, and
the jar's first use (compiling and running the README's Kotlin example against it).
Beside them, once each and cold (an empty Cargo target directory): `pip install
./python` and the Node addon's build from source (`npm install` in node/).
Prints a Markdown table of median (min–max) seconds and one of artifact sizes
(RUNS 0: the sizes only).
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
VERSION = tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["package"]["version"]
RUST_TOOLS = ("cargo", "rustc", "rustup")


def without_rust(path):
    return os.pathsep.join(
        d
        for d in path.split(os.pathsep)
        if d
        and ".cargo" not in Path(d).parts
        and not any((Path(d) / t).exists() for t in RUST_TOOLS)
    )


NO_RUST = {k: v for k, v in os.environ.items() if not k.startswith(("CARGO", "RUSTUP"))}
NO_RUST["PATH"] = without_rust(os.environ["PATH"])


def one(pattern):
    (found,) = DIST.glob(pattern)
    return found


def run(command, cwd, env):
    subprocess.run([str(c) for c in command], cwd=cwd, env=env, check=True, capture_output=True)


def timed(prepare, command, env=NO_RUST, runs=1):
    """Seconds of `command` in a fresh scratch directory, after `prepare` there."""
    seconds = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            prepare(Path(scratch))
            start = time.monotonic()
            run(command(Path(scratch)), scratch, env)
            seconds.append(time.monotonic() - start)
    return seconds


def venv(scratch):
    run([sys.executable, "-m", "venv", scratch / "venv"], scratch, NO_RUST)


def npm_project(scratch):
    (scratch / "package.json").write_text('{"name": "scratch", "private": true}\n')


def kotlin_example(scratch):
    text = (ROOT / "README.md").read_text()
    block = text.split("<!-- snippet: kotlin -->\n```kotlin\n", 1)[1].split("\n```", 1)[0]
    (scratch / "Example.kt").write_text(block + "\n")


def kotlin_first_use(scratch):
    kotlinc = ROOT / "kotlin" / "node_modules" / "kotlin-compiler" / "bin" / "kotlinc"
    classpath = f"{one(f'iamkit-{VERSION}.jar')}:/usr/share/java/jna.jar"
    script = (
        f"{kotlinc} -nowarn -cp {classpath} -include-runtime -d example.jar Example.kt"
        f" && java -cp example.jar:{classpath} ExampleKt"
    )
    return ["sh", "-c", script]


def source_build_env(scratch):
    env = {**os.environ, "CARGO_TARGET_DIR": str(scratch / "target")}
    return env


def install_times(runs):
    wheel = one(f"iamkit-{VERSION}-cp39-abi3-*.whl")
    binary = one(f"iamkit-{VERSION}-x86_64-unknown-linux-gnu.tar.gz")
    npm_main = one(f"iamkit-{VERSION}.tgz")
    npm_platform = one(f"iamkit-linux-x64-gnu-{VERSION}.tgz")
    rows = [
        (
            "`pip install` the wheel",
            timed(venv, lambda s: [s / "venv/bin/pip", "install", "--no-index", wheel], runs=runs),
        ),
        (
            "`npm install` the two tarballs",
            timed(
                npm_project,
                lambda s: ["npm", "install", "--no-audit", "--no-fund", npm_platform, npm_main],
                runs=runs,
            ),
        ),
        (
            "the binary: `sha256sum -c`, `tar -xzf`",
            timed(
                lambda s: [shutil.copy(p, s) for p in (binary, f"{binary}.sha256")],
                lambda s: [
                    "sh",
                    "-c",
                    f"sha256sum -c {binary.name}.sha256 && tar -xzf {binary.name}",
                ],
                runs=runs,
            ),
        ),
        (
            "the jar: compile and run the README's Kotlin example",
            timed(kotlin_example, kotlin_first_use, runs=runs),
        ),
    ]
    cold = []
    with tempfile.TemporaryDirectory() as scratch:
        env = source_build_env(Path(scratch))
        venv(Path(scratch))
        start = time.monotonic()
        run([Path(scratch) / "venv/bin/pip", "install", ROOT / "python"], scratch, env)
        cold.append(("`pip install ./python` (cold build from source)", time.monotonic() - start))
    with tempfile.TemporaryDirectory() as scratch:
        env = source_build_env(Path(scratch))
        start = time.monotonic()
        run(["node", ROOT / "node" / "build.js"], ROOT / "node", env)
        cold.append(("Node addon from source (`node build.js`, cold)", time.monotonic() - start))
    return rows, cold


def print_times(rows, cold, runs):
    print(f"| install ({runs} runs; median (min–max) seconds) | seconds |")
    print("|---|---|")
    for name, seconds in rows:
        median = statistics.median(seconds)
        print(f"| {name} | {median:.1f} ({min(seconds):.1f}–{max(seconds):.1f}) |")
    for name, seconds in cold:
        print(f"| {name}, once | {seconds:.1f} |")


def print_sizes():
    print("| artifact | size (MB) |")
    print("|---|---|")
    for path in sorted(DIST.iterdir()):
        if path.suffix not in {".sha256"} and path.name != "SHA256SUMS":
            print(f"| `{path.name}` | {path.stat().st_size / 1e6:.2f} |")
    native = [
        (
            "`_native.abi3.so` in the wheel",
            ROOT / "target/wheel/x86_64-unknown-linux-gnu/release/lib_native.so",
        ),
        (
            "`iamkit.linux-x64-gnu.node`",
            ROOT / "target/x86_64-unknown-linux-gnu/release/libiamkit_node.so",
        ),
        ("`iamkit` binary", ROOT / "target/x86_64-unknown-linux-gnu/release/iamkit"),
        (
            "`libiamkit_uniffi.so` in the jar",
            ROOT / "target/x86_64-unknown-linux-gnu/release/libiamkit_uniffi.so",
        ),
    ]
    for name, path in native:
        if path.exists():
            print(f"| {name} (unpacked) | {path.stat().st_size / 1e6:.2f} |")


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    if runs:
        print_times(*install_times(runs), runs)
        print()
    print_sizes()


if __name__ == "__main__":
    main()
