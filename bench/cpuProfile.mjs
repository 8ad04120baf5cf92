// Preloaded into the server by bench/profile.ts (`node --cpu-prof` is refused in NODE_OPTIONS,
// and the server is started through the test helper): samples the whole process with the
// in-process inspector and writes a .cpuprofile (open in Chrome DevTools or speedscope) on exit.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
process.on('exit', () => {
  // The in-process session answers synchronously, so the file is written before the process ends.
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(`${process.env.CPU_PROFILE_DIR}/${process.env.CPU_PROFILE_NAME}-${process.pid}.cpuprofile`, JSON.stringify(result.profile));
  });
});
