// Process entry of `eix`: read config once, wire the real clock, run.
import { readConfig } from '../config/config.js';
import { shiftedClock, systemClock } from '../adapters/clock/system-clock.js';
import { processIo, printError, EXIT_BAD_INPUT } from './io.js';
import { runCli } from './program.js';

let code: number;
try {
  const config = readConfig();
  const clock = config.today ? shiftedClock(config.today) : systemClock;
  code = await runCli(process.argv.slice(2), { io: processIo, clock, config });
} catch (e) {
  code = printError({ json: process.argv.includes('--json'), io: processIo }, e);
  if (code !== EXIT_BAD_INPUT) code = 1;
}
process.exitCode = code;
