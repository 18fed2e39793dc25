// Starts the real `iamkit serve` binary on a loopback port for a test file.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** Starts an emulator on a frozen clock; resolves to { boot, stop }. */
export async function startEmulator(...args) {
  const binary = process.env.IAMKIT_BIN ?? join(root, "target", "debug", "iamkit");
  const bootFile = join(mkdtempSync(join(tmpdir(), "iamkit-")), "bootstrap.json");
  const child = spawn(
    binary,
    [
      "serve",
      "--port",
      "0",
      "--frozen-at",
      "2030-01-01T00:00:00Z",
      "--bootstrap",
      bootFile,
      ...args,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const deadline = Date.now() + 20_000;
  while (!existsSync(bootFile) || readFileSync(bootFile, "utf8") === "") {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(`iamkit serve did not start: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const boot = JSON.parse(readFileSync(bootFile, "utf8"));
  const stop = () =>
    new Promise((resolve) => {
      child.once("exit", resolve);
      child.kill("SIGTERM");
    });
  return { boot, stop };
}

/** Launches Debian's headless Chromium (CHROMIUM names another binary). */
export function launchChromium(chromium) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
