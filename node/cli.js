#!/usr/bin/env node
"use strict";
// The `iamkit` command (`npx iamkit serve …`): the flags of the Rust binary, parsed
// by the same Rust code, run by the native addon on this thread until it stops.

const { native } = require("./native.js");

// The emulator stops cleanly on SIGINT and SIGTERM through its own handler. Node's
// default handler for them re-raises the signal, so with it underneath the process
// would spin in signal delivery; listeners put libuv's quiet handler there instead.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});

process.exitCode = native.cliMain(["iamkit", ...process.argv.slice(2)]);
