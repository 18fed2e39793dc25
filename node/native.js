"use strict";
// Loads the native addon: a build from source in this folder (iamkit.node, made by
// `npm install` or `npm run build` here), else the prebuilt addon of this platform's
// package (iamkit-linux-x64-gnu, …), which npm installs as an optional dependency.

const { existsSync } = require("node:fs");
const { join } = require("node:path");

/** The napi-rs name of this platform, e.g. `linux-x64-gnu`, `darwin-arm64`. */
function platformTriple() {
  const { platform, arch } = process;
  if (platform === "linux") {
    const report = process.report && process.report.getReport();
    const glibc = report && report.header && report.header.glibcVersionRuntime;
    return `linux-${arch}-${glibc ? "gnu" : "musl"}`;
  }
  if (platform === "win32") return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

function load() {
  const local = join(__dirname, "iamkit.node");
  if (existsSync(local)) return require(local);
  const triple = platformTriple();
  const name = `iamkit-${triple}`;
  try {
    return require(name);
  } catch (error) {
    if (error && error.code !== "MODULE_NOT_FOUND") throw error;
    throw new Error(
      `iamkit: no native addon for ${triple}: the package ${name} is not installed. ` +
        "npm installs it with iamkit as an optional dependency, so check that optional " +
        "dependencies are not omitted (--omit=optional, --no-optional); where no prebuilt " +
        "package exists, build from source: `npm install` in the node/ folder of the " +
        "iamkit repository (needs a Rust toolchain).",
      { cause: error },
    );
  }
}

module.exports = { native: load(), platformTriple };
