#!/usr/bin/env node
// Writes the npm package of one platform's prebuilt addon, iamkit-<triple>, into a
// folder that `npm pack <out-dir>` turns into iamkit-<triple>-<version>.tgz.
// node/native.js requires this package when no addon was built in node/ itself.
//
// Usage: node scripts/npm-platform-package.mjs <platform-triple> <path-to-.node> <out-dir>
//   e.g. node scripts/npm-platform-package.mjs linux-arm64-gnu \
//          node/iamkit.linux-arm64-gnu.node build/npm/linux-arm64-gnu
//
// The version, repository and engines come from node/package.json; the os, cpu and
// libc fields from scripts/npm-platforms.json, the list of platform packages that
// scripts/npm-main-package.mjs makes optional dependencies of iamkit.

import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

function fail(message) {
  console.error(`npm-platform-package: ${message}`);
  process.exit(1);
}

const args = process.argv.slice(2);
if (args.length !== 3) {
  fail("usage: node scripts/npm-platform-package.mjs <platform-triple> <path-to-.node> <out-dir>");
}
const [triple, addonPath, outDir] = args;

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const platforms = JSON.parse(readFileSync(join(root, "scripts", "npm-platforms.json"), "utf8"));
const platform = Object.hasOwn(platforms, triple) ? platforms[triple] : undefined;
if (!platform) {
  fail(
    `unknown platform triple ${JSON.stringify(triple)}; scripts/npm-platforms.json lists ` +
      Object.keys(platforms).join(", "),
  );
}
if (!existsSync(addonPath) || !statSync(addonPath).isFile()) {
  fail(`no addon at ${addonPath}`);
}

const main = JSON.parse(readFileSync(join(root, "node", "package.json"), "utf8"));
if (!main.version) fail("node/package.json has no version");

const name = `iamkit-${triple}`;
const binary = `iamkit.${triple}.node`;
const licenses = ["LICENSE-MIT", "LICENSE-APACHE"];
for (const file of licenses) {
  if (!existsSync(join(root, file))) fail(`${file} is missing at the repository root`);
}

const manifest = {
  name,
  version: main.version,
  description: `The prebuilt native addon of iamkit for ${triple}; install iamkit, which depends on it`,
  license: "MIT OR Apache-2.0",
  ...(main.repository ? { repository: main.repository } : {}),
  main: binary,
  files: [binary, ...licenses],
  os: platform.os,
  cpu: platform.cpu,
  ...(platform.libc ? { libc: platform.libc } : {}),
  ...(main.engines ? { engines: main.engines } : {}),
};

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(
  join(outDir, "README.md"),
  `# ${name}\n\nThe prebuilt native addon of [iamkit](https://www.npmjs.com/package/iamkit) ` +
    `for ${triple}. Install \`iamkit\`; npm installs this package with it as an optional ` +
    "dependency on matching systems.\n",
);
copyFileSync(addonPath, join(outDir, binary));
for (const file of licenses) copyFileSync(join(root, file), join(outDir, file));

console.log(`${name}@${main.version}: ${join(outDir, "package.json")} (${binary}, ${licenses.join(", ")})`);
