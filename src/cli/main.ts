#!/usr/bin/env node
/** The `blastlab` bin: runs the command line and exits with its code (0 ok, 1 failed run, 2 bad usage or input, 130 Ctrl-C). */
import { main } from './program.js';

process.exitCode = await main(process.argv.slice(2));
