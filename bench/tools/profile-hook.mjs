// Preloaded into a node process (NODE_OPTIONS=--import <this file>, EIX_PROFILE_OUT=<file>) by the load
// suite's EIX_LOAD_PROFILE: records a V8 CPU profile from start to exit (`--cpu-prof` is not allowed in
// NODE_OPTIONS). The in-process inspector session answers synchronously, so it is written in 'exit'.
import { writeFileSync } from 'node:fs';
import process from 'node:process';
import { Session } from 'node:inspector';

const out = process.env.EIX_PROFILE_OUT;
if (out) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (err, r) => {
      if (!err) writeFileSync(out, JSON.stringify(r.profile));
    });
  });
}
