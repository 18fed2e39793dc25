#!/usr/bin/env bash
# Builds every shipped artifact of iamkit for x86_64 Linux into dist/ (release
# builds, stripped), each with LICENSE-MIT and LICENSE-APACHE inside:
#   iamkit-<v>-cp39-abi3-manylinux_2_17_x86_64….whl   the Python wheel (glibc >= 2.17)
#   iamkit-<v>.tar.gz                                 the Python sdist
#   iamkit-<v>.tgz, iamkit-linux-x64-gnu-<v>.tgz       the npm packages
#   iamkit-<v>-x86_64-unknown-linux-gnu.tar.gz(.sha256) the portable binary
#   iamkit-<v>.jar, iamkit-<v>.pom                    the JVM library for JNA
#   SHA256SUMS
# Everything native is linked against glibc 2.17 with zig (PyPI's ziglang, driven by
# cargo-zigbuild and maturin), so it runs on any x86_64 Linux with glibc >= 2.17.
# The release workflow's Linux x86_64 job runs this same script.
#
# Environment: CARGO_TARGET_DIR is honoured; IAMKIT_PACKAGE_TOOLS (default
# target/package-tools) holds the virtual environment with the build tools.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target_dir="${CARGO_TARGET_DIR:-$root/target}"
triple=x86_64-unknown-linux-gnu
glibc=2.17
release="$target_dir/$triple/release"
stage="$target_dir/dist-stage"
dist="$root/dist"

bash scripts/check-version.sh
version=$(python3 -c 'import tomllib; print(tomllib.load(open("Cargo.toml", "rb"))["workspace"]["package"]["version"])')
step() { echo "== package: $*"; }

step "build tools (maturin, cargo-zigbuild, ziglang, auditwheel) in a virtual environment"
tools="${IAMKIT_PACKAGE_TOOLS:-$target_dir/package-tools}"
[ -x "$tools/bin/pip" ] || python3 -m venv "$tools"
"$tools/bin/pip" install --quiet --disable-pip-version-check -r scripts/package-requirements.txt
export PATH="$tools/bin:$PATH"

rm -rf "$dist" "$stage"
mkdir -p "$dist" "$stage"

step "release build of the binary, the Node addon and the JVM library for $triple (glibc $glibc)"
cargo zigbuild --release --locked --target "$triple.$glibc" \
  -p iamkit-server -p iamkit-node -p iamkit-uniffi

step "Python wheel (manylinux2014, abi3) and sdist"
# A target directory of its own: maturin's zig wrapper differs from cargo-zigbuild's,
# and sharing one would make each rebuild what the other built.
(cd python && CARGO_TARGET_DIR="$target_dir/wheel" maturin build --release --locked \
  --zig --compatibility manylinux2014 --target "$triple" --out "$dist")
(cd python && maturin sdist --out "$dist")
wheel=$(ls "$dist"/iamkit-"$version"-*.whl)
auditwheel show "$wheel" | tee "$stage/auditwheel.txt"
grep -q '"manylinux_2_17_x86_64"' "$stage/auditwheel.txt" || {
  echo "the wheel is not manylinux_2_17 compliant" >&2
  exit 1
}

step "portable binary"
bin_name="iamkit-$version-$triple"
mkdir -p "$stage/$bin_name"
cp "$release/iamkit" LICENSE-MIT LICENSE-APACHE README.md "$stage/$bin_name/"
tar -czf "$dist/$bin_name.tar.gz" -C "$stage" "$bin_name"
(cd "$dist" && sha256sum "$bin_name.tar.gz" >"$bin_name.tar.gz.sha256")

step "npm packages: iamkit and iamkit-linux-x64-gnu"
node scripts/npm-platform-package.mjs linux-x64-gnu "$release/libiamkit_node.so" "$stage/npm/linux-x64-gnu"
node scripts/npm-main-package.mjs "$stage/npm/iamkit"
npm pack --silent --pack-destination "$dist" "$stage/npm/linux-x64-gnu" "$stage/npm/iamkit" >/dev/null

step "JVM library: generated Kotlin compiled into a jar with the native library for JNA"
# shellcheck source=kotlin/tools.sh
. kotlin/tools.sh
# The sources come from the debug library: the stripped release one has no symbols
# for uniffi-bindgen to read its metadata from (both describe the same API).
bash kotlin/generate.sh
jvm="$stage/jvm"
mkdir -p "$jvm/classes/linux-x86-64" "$jvm/classes/META-INF/maven/dev.iamkit/iamkit"
echo "compiling the generated Kotlin with kotlinc (about a minute)"
"$kotlinc" -nowarn -jvm-target 17 -cp "$jna" -d "$jvm/classes" kotlin/build/generated/dev/iamkit/*.kt
cp "$release/libiamkit_uniffi.so" "$jvm/classes/linux-x86-64/"
cp LICENSE-MIT LICENSE-APACHE "$jvm/classes/META-INF/"
jna_version=$(unzip -p "$jna" META-INF/MANIFEST.MF | sed -n 's/^Bundle-Version: *\([0-9.]*\).*/\1/p' | tr -d '\r')
kotlin_version=$(node -p 'require("./kotlin/package.json").devDependencies["kotlin-compiler"]')
sed -e "s/@VERSION@/$version/" -e "s/@JNA_VERSION@/$jna_version/" \
  -e "s/@KOTLIN_VERSION@/$kotlin_version/" kotlin/pom.xml.in >"$dist/iamkit-$version.pom"
cp "$dist/iamkit-$version.pom" "$jvm/classes/META-INF/maven/dev.iamkit/iamkit/pom.xml"
jar --create --file "$dist/iamkit-$version.jar" -C "$jvm/classes" .

step "checksums"
(cd "$dist" && sha256sum -- * | grep -v ' SHA256SUMS$' >SHA256SUMS)
ls -l "$dist"
