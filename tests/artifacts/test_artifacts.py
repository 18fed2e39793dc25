"""Every artifact in dist/ (made by scripts/package.sh), installed as a user gets it.

Each is installed into a scratch directory outside the repository, with no Rust
toolchain on PATH (no cargo, rustc or ~/.cargo/bin), and used there: the README's
quick starts, and the `iamkit serve` command of each package getting a token over
HTTP. The README's snippets are read from README.md itself (each follows a
`<!-- snippet: NAME -->` line), so what is tested is what a reader pastes.
"""

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tarfile
import time
import tomllib
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
VERSION = tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["package"]["version"]
TRIPLE = "x86_64-unknown-linux-gnu"
JNA = Path("/usr/share/java/jna.jar")
KOTLINC = ROOT / "kotlin" / "node_modules" / "kotlin-compiler" / "bin" / "kotlinc"
RUST_TOOLS = ("cargo", "rustc", "rustup")
LICENSES = ("LICENSE-MIT", "LICENSE-APACHE")
# The newest glibc the portable binary may need.
NEWEST_GLIBC = (2, 28)


def without_rust(path):
    """PATH without the directories that hold a Rust toolchain."""
    home_cargo = str(Path.home() / ".cargo" / "bin")
    kept = [
        d
        for d in path.split(os.pathsep)
        if d
        and d != home_cargo
        and ".cargo" not in Path(d).parts
        and not any((Path(d) / tool).exists() for tool in RUST_TOOLS)
    ]
    return os.pathsep.join(kept)


ENV = {
    key: value
    for key, value in os.environ.items()
    if not key.startswith(("CARGO", "RUSTUP", "RUSTC", "VIRTUAL_ENV"))
}
ENV["PATH"] = without_rust(os.environ["PATH"])


def run(command, cwd, env=ENV, timeout=300):
    """Runs a command to its end and returns its stdout; fails with its output."""
    done = subprocess.run(
        [str(c) for c in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, (
        f"{command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


def timed(command, cwd, env=ENV):
    start = time.monotonic()
    out = run(command, cwd, env)
    name = " ".join([Path(str(command[0])).name, *map(str, command[1:3])])
    print(f"{name}: {time.monotonic() - start:.1f} s")
    return out


def snippet(name):
    """The code block that follows `<!-- snippet: NAME -->` in README.md."""
    text = (ROOT / "README.md").read_text()
    found = re.search(
        rf"<!-- snippet: {re.escape(name)} -->\n```[a-z]*\n(.*?)\n```", text, re.DOTALL
    )
    assert found, f"README.md has no snippet {name}"
    return found.group(1) + "\n"


def artifact(pattern):
    matches = sorted(DIST.glob(pattern))
    assert len(matches) == 1, f"expected one dist/{pattern}, found {matches}"
    return matches[0]


def serve_and_get_token(command, cwd, ctrl_c=False):
    """Starts `… serve --port 0 --bootstrap F`, gets a token with the demo app's
    credentials over HTTP, stops it and checks that it stops cleanly and the port closes.
    It is stopped with SIGTERM, or with `ctrl_c` as a terminal's Ctrl-C does: SIGINT
    to its whole process group (npx does not pass SIGTERM on to the command it runs)."""
    boot = Path(cwd) / "bootstrap.json"
    log = Path(cwd) / "serve.log"
    with open(log, "wb") as err:
        process = subprocess.Popen(
            [*map(str, command), "serve", "--port", "0", "--bootstrap", str(boot)],
            cwd=cwd,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=ctrl_c,
        )
    try:
        deadline = time.monotonic() + 60
        while not (boot.exists() and boot.read_text()):
            assert process.poll() is None, f"serve exited {process.returncode}: {log.read_text()}"
            assert time.monotonic() < deadline, f"no bootstrap file after 60 s: {log.read_text()}"
            time.sleep(0.05)
        doc = json.loads(boot.read_text())
        assert boot.stat().st_mode & 0o077 == 0, "the bootstrap file is readable by its owner only"
        app = doc["apps"]["org_client_credentials"]
        form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
            }
        ).encode()
        with urllib.request.urlopen(f"{doc['url']}/v2/token", data=form, timeout=10) as response:
            token = json.load(response)
        assert token["token_type"] == "Bearer"
        assert token["expires_in"] == 3600
        assert token["access_token"].count(".") == 2
        with urllib.request.urlopen(f"{doc['url']}/healthz", timeout=10) as response:
            assert response.status == 200
    finally:
        if ctrl_c:
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.terminate()
        process.wait(timeout=20)
    # npx, like npm, ends by the signal it passed on; the emulator itself exits 0.
    assert process.returncode == (-signal.SIGINT if ctrl_c else 0), log.read_text()
    assert log.read_text().endswith("iamkit: stopped\n"), log.read_text()
    address = urllib.parse.urlsplit(doc["url"])
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection((address.hostname, address.port), timeout=1).close()
        except OSError:
            break
        assert time.monotonic() < deadline, "the emulator still listens after SIGTERM"
        time.sleep(0.05)


def test_no_rust_toolchain_is_on_the_path():
    for tool in RUST_TOOLS:
        assert shutil.which(tool, path=ENV["PATH"]) is None, tool


def test_the_wheel_is_manylinux_abi3_and_carries_the_licenses():
    wheel = artifact(f"iamkit-{VERSION}-cp39-abi3-*.whl")
    assert "manylinux_2_17_x86_64" in wheel.name
    names = zipfile.ZipFile(wheel).namelist()
    for license in LICENSES:
        assert f"iamkit-{VERSION}.dist-info/licenses/{license}" in names
    assert "iamkit/_native.abi3.so" in names


def test_the_wheel_runs_the_quick_starts_and_iamkit_serve(tmp_path):
    wheel = artifact(f"iamkit-{VERSION}-cp39-abi3-*.whl")
    run(["python3", "-m", "venv", "venv"], tmp_path)
    bin_dir = tmp_path / "venv" / "bin"
    timed(
        [bin_dir / "pip", "install", "--disable-pip-version-check", "--no-index", wheel], tmp_path
    )
    (tmp_path / "quick_start.py").write_text(snippet("python-quick-start"))
    run([bin_dir / "python", "quick_start.py"], tmp_path)

    # The pytest example, with the plugin's fixtures, as a test file of its own.
    run(
        [bin_dir / "pip", "install", "--quiet", "--disable-pip-version-check", "pytest==9.2.0"],
        tmp_path,
    )
    (tmp_path / "test_readme.py").write_text(snippet("python-pytest"))
    out = run(
        [bin_dir / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_readme.py"],
        tmp_path,
    )
    assert "1 passed" in out, out

    assert run([bin_dir / "iamkit", "--version"], tmp_path).strip() == f"iamkit {VERSION}"
    serve_and_get_token([bin_dir / "iamkit"], tmp_path)


def test_the_sdist_builds_from_source_outside_the_repository(tmp_path):
    sdist = artifact(f"iamkit-{VERSION}.tar.gz")
    names = tarfile.open(sdist).getnames()
    for license in LICENSES:
        assert f"iamkit-{VERSION}/{license}" in names
    build = shutil.copy(sdist, tmp_path)
    run(["python3", "-m", "venv", "venv"], tmp_path)
    bin_dir = tmp_path / "venv" / "bin"
    # Building from source needs Rust: this one step keeps the toolchain on PATH.
    # A dev-profile build proves the sdist complete in half the time of a release one.
    env = {**ENV, "PATH": os.environ["PATH"], "MATURIN_PEP517_ARGS": "--profile dev"}
    env["CARGO_TARGET_DIR"] = str(tmp_path / "build")
    timed(
        [bin_dir / "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", "wheels", build],
        tmp_path,
        env,
    )
    shutil.rmtree(tmp_path / "build")
    (built,) = (tmp_path / "wheels").glob("iamkit-*.whl")
    run([bin_dir / "pip", "install", "--quiet", "--no-index", built], tmp_path)
    out = run([bin_dir / "python", "-c", "import iamkit; print(iamkit.__version__)"], tmp_path)
    assert out.strip() == VERSION


def test_the_npm_packages_install_prebuilt_and_run_as_commonjs_esm_and_npx(tmp_path):
    main = artifact(f"iamkit-{VERSION}.tgz")
    platform = artifact(f"iamkit-linux-x64-gnu-{VERSION}.tgz")
    (tmp_path / "package.json").write_text('{"name": "scratch", "private": true}\n')
    out = timed(["npm", "install", "--no-audit", "--no-fund", platform, main], tmp_path)
    installed = tmp_path / "node_modules" / "iamkit"
    assert not (installed / "iamkit.node").exists(), "no addon was built in the package"
    assert not (installed / "build.js").exists()
    assert (
        tmp_path / "node_modules" / "iamkit-linux-x64-gnu" / "iamkit.linux-x64-gnu.node"
    ).is_file()
    for license in LICENSES:
        assert (installed / license).is_file() and (
            installed.parent / "iamkit-linux-x64-gnu" / license
        ).is_file()
    manifest = json.loads((installed / "package.json").read_text())
    assert "scripts" not in manifest, "the published package runs no install script"
    assert manifest["optionalDependencies"]["iamkit-linux-x64-gnu"] == VERSION
    assert "building" not in out

    (tmp_path / "quick_start.cjs").write_text(snippet("node-quick-start"))
    assert run(["node", "quick_start.cjs"], tmp_path).strip() == "token_expired"
    (tmp_path / "quick_start.mjs").write_text(snippet("node-quick-start-esm"))
    assert run(["node", "quick_start.mjs"], tmp_path).strip() == "token_expired"
    (tmp_path / "readme.test.mjs").write_text(snippet("node-test"))
    out = run(["node", "--test", "readme.test.mjs"], tmp_path)
    assert "# pass 1" in out and "# fail 0" in out, out
    assert (
        run(["npx", "--no-install", "iamkit", "--version"], tmp_path).strip() == f"iamkit {VERSION}"
    )
    serve_and_get_token(["npx", "--no-install", "iamkit"], tmp_path, ctrl_c=True)


def test_the_portable_binary_is_checksummed_old_glibc_and_serves(tmp_path):
    archive = artifact(f"iamkit-{VERSION}-{TRIPLE}.tar.gz")
    expected = (DIST / f"{archive.name}.sha256").read_text().split()
    assert expected == [hashlib.sha256(archive.read_bytes()).hexdigest(), archive.name]
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path, filter="data")
    folder = tmp_path / f"iamkit-{VERSION}-{TRIPLE}"
    for license in LICENSES:
        assert (folder / license).is_file()
    binary = folder / "iamkit"
    symbols = run(["objdump", "-T", binary], tmp_path)
    versions = {tuple(map(int, v.split("."))) for v in re.findall(r"GLIBC_([0-9.]+)", symbols)}
    print(f"newest glibc symbol: {'.'.join(map(str, max(versions)))}")
    assert max(versions) <= NEWEST_GLIBC, max(versions)
    assert run([binary, "--version"], tmp_path).strip() == f"iamkit {VERSION}"
    serve_and_get_token([binary], tmp_path)


def test_the_jar_runs_the_readme_example_with_only_jna_beside_it(tmp_path):
    jar = artifact(f"iamkit-{VERSION}.jar")
    names = zipfile.ZipFile(jar).namelist()
    assert "linux-x86-64/libiamkit_uniffi.so" in names
    assert "META-INF/maven/dev.iamkit/iamkit/pom.xml" in names
    for license in LICENSES:
        assert f"META-INF/{license}" in names
    pom = artifact(f"iamkit-{VERSION}.pom").read_text()
    assert "<artifactId>jna</artifactId>" in pom and f"<version>{VERSION}</version>" in pom

    (tmp_path / "Example.kt").write_text(snippet("kotlin"))
    classpath = f"{jar}{os.pathsep}{JNA}"
    run(
        [
            KOTLINC,
            "-nowarn",
            "-jvm-target",
            "17",
            "-cp",
            classpath,
            "-include-runtime",
            "-d",
            "example.jar",
            "Example.kt",
        ],
        tmp_path,
    )
    out = run(["java", "-cp", f"example.jar{os.pathsep}{classpath}", "ExampleKt"], tmp_path)
    assert out.strip() == "token_expired", out


def test_cargo_install_gives_the_iamkit_command(tmp_path):
    env = {**ENV, "PATH": os.environ["PATH"]}
    # --debug reuses the test build in target/; a user's `cargo install` builds release.
    run(
        [
            "cargo",
            "install",
            "--locked",
            "--debug",
            "--quiet",
            "--path",
            ROOT / "crates" / "iamkit-server",
            "--root",
            tmp_path,
        ],
        ROOT,
        env,
        timeout=600,
    )
    assert run([tmp_path / "bin" / "iamkit", "--version"], tmp_path).strip() == f"iamkit {VERSION}"
