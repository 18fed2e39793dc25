#!/usr/bin/env node
"use strict";
// The `iamkit` command (`npx iamkit serve …`): the flags of the Rust binary, parsed
// by the same Rust code, run by the native addon on this thread until it stops.

const { native } = require("./native.js");

process.exitCode = native.cliMain(["iamkit", ...process.argv.slice(2)]);
