"use strict";
// Builds the native addon from source (bindings/node in the iamkit repository) into
// iamkit.node: the install script of the package in a checkout, and `npm run build`.
// It needs cargo and nothing from npm (cargo rebuilds only what changed). Outside a
// checkout it builds nothing: it checks that the prebuilt platform package loads.
//
// Usage: node build.js [--release]   (IAMKIT_BUILD_RELEASE=1 is --release)

const { spawnSync } = require("node:child_process");
const { copyFileSync, existsSync } = require("node:fs");
const { join } = require("node:path");

const release = process.argv.includes("--release") || process.env.IAMKIT_BUILD_RELEASE === "1";
const crate = join(__dirname, "..", "bindings", "node", "Cargo.toml");
const out = join(__dirname, "iamkit.node");

function fail(message) {
  console.error(`iamkit: ${message}`);
  process.exit(1);
}

if (!existsSync(crate)) {
  // Installed from a package: the addon comes prebuilt, in the platform package.
  try {
    require("./native.js");
    process.exit(0);
  } catch (error) {
    fail(`${error.message}\n(no source to build it from here)`);
  }
}
const cargoArgs = ["build", "--locked", "--message-format=json-render-diagnostics"];
if (release) cargoArgs.push("--release");
cargoArgs.push("--manifest-path", crate);
console.error(`iamkit: building the native addon from source (cargo ${cargoArgs.join(" ")})`);
const cargo = spawnSync("cargo", cargoArgs, {
  stdio: ["ignore", "pipe", "inherit"],
  maxBuffer: 256 * 1024 * 1024,
  encoding: "utf8",
});
if (cargo.error && cargo.error.code === "ENOENT") {
  fail(
    "cargo is not on PATH: building the addon from source needs a Rust toolchain " +
      "(https://rustup.rs), or install the prebuilt platform package instead.",
  );
}
if (cargo.status !== 0) fail(`cargo build failed (exit ${cargo.status})`);
const library = cargo.stdout
  .split("\n")
  .filter((line) => line.startsWith("{"))
  .map((line) => JSON.parse(line))
  .filter((m) => m.reason === "compiler-artifact" && m.target.name === "iamkit_node")
  .flatMap((m) => m.filenames)
  .find((file) => /\.(so|dylib|dll)$/.test(file));
if (!library) fail("cargo built no iamkit_node library");
copyFileSync(library, out);
console.error(`iamkit: built ${out}`);
