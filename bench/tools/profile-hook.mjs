// Preloaded into a node process (NODE_OPTIONS=--import <this file>) by the load suite's EIX_LOAD_PROFILE:
// EIX_PROFILE_OUT=<file> records a V8 CPU profile from start to exit (`--cpu-prof` is not allowed in
// NODE_OPTIONS); EIX_PROFILE_HEAP_OUT=<file> records where memory is allocated (V8's sampling heap profiler,
// counting the objects already collected too: the allocation rate by place, which is what the garbage
// collector pays for; bench/tools/heapprofile-top.ts). The in-process inspector session answers
// synchronously, so both are written in 'exit'.
import { writeFileSync } from 'node:fs';
import process from 'node:process';
import { Session } from 'node:inspector';

const out = process.env.EIX_PROFILE_OUT;
const heapOut = process.env.EIX_PROFILE_HEAP_OUT;
if (out || heapOut) {
  const session = new Session();
  session.connect();
  if (out) {
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 500 });
    session.post('Profiler.start');
  }
  if (heapOut) {
    session.post('HeapProfiler.enable');
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 65536,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  process.on('exit', () => {
    if (out)
      session.post('Profiler.stop', (err, r) => {
        if (!err) writeFileSync(out, JSON.stringify(r.profile));
      });
    if (heapOut)
      session.post('HeapProfiler.stopSampling', (err, r) => {
        if (!err) writeFileSync(heapOut, JSON.stringify(r.profile));
      });
  });
}
