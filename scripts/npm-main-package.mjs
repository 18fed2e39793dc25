#!/usr/bin/env node
// Writes the npm package iamkit as it ships into a folder that `npm pack <out-dir>`
// turns into iamkit-<version>.tgz: node/'s JavaScript, types and README, and a
// package.json without the build from source (no install script, no dev tools) that
// names every platform package (scripts/npm-platforms.json) as an optional
// dependency of the same version, so npm installs the prebuilt addon that fits.
//
// Usage: node scripts/npm-main-package.mjs <out-dir>

import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const [outDir] = process.argv.slice(2);
if (!outDir) {
  console.error("usage: node scripts/npm-main-package.mjs <out-dir>");
  process.exit(1);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const source = JSON.parse(readFileSync(join(root, "node", "package.json"), "utf8"));
const platforms = JSON.parse(readFileSync(join(root, "scripts", "npm-platforms.json"), "utf8"));

// What only a build from source needs stays behind.
const fromSource = new Set(["build.js", "iamkit.node"]);
const files = source.files.filter((file) => !fromSource.has(file));
const licenses = new Set(["LICENSE-MIT", "LICENSE-APACHE"]);

const manifest = {
  name: source.name,
  version: source.version,
  description: source.description,
  license: source.license,
  repository: source.repository,
  main: source.main,
  types: source.types,
  exports: source.exports,
  bin: source.bin,
  files,
  engines: source.engines,
  optionalDependencies: Object.fromEntries(
    Object.keys(platforms).map((triple) => [`${source.name}-${triple}`, source.version]),
  ),
};

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
for (const file of [...files, "README.md"]) {
  const from = licenses.has(file) ? join(root, file) : join(root, "node", file);
  copyFileSync(from, join(outDir, file));
}
console.log(`${source.name}@${source.version}: ${join(outDir, "package.json")}`);
