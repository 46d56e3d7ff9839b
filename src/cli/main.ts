#!/usr/bin/env node
/** The `blastlab` bin: runs the command line and exits with its code (0 ok, 1 failed run, 2 bad usage or input, 130 Ctrl-C). */
import { setFlagsFromString } from 'node:v8';

// A larger young generation before anything is allocated: loading a big estate creates millions of
// objects that all survive (JSON, its validated copy, the resolved scenario), and with V8's default
// 16 MB semi-space the scavenger copies them over and over. Measured on the 1M-edge estate
// (bench/load-compile.mjs): load + compile 4.6–5.9 s by default, 4.4–4.8 s with 64 MB; peak RSS
// unchanged. Flags are process-wide, so worker threads get it too, and their trials run faster for it
// (their short-lived objects die young): the default run took 58–61 s with V8's default young
// generation in the workers against 49–50 s with this one (two alternating runs each).
setFlagsFromString('--max-semi-space-size=64');

const { main } = await import('./program.js');
process.exitCode = await main(process.argv.slice(2));
