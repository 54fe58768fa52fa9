import { collectGarbage, memoryNow, sample } from './meter.js';
import { startBareServer, type BareSetup } from './bare-server.js';

// The bare server's own process (run.ts forks it), so its memory and round trips are its own and the API
// process's are the API's.

export type BareRequest = { type: 'start'; setup: BareSetup } | { type: 'sample'; gc?: boolean } | { type: 'stop' };

let bare: Awaited<ReturnType<typeof startBareServer>> | undefined;
process.on('message', async (message: BareRequest) => {
  if (message.type === 'start') {
    bare = await startBareServer(message.setup);
    collectGarbage();
    process.send?.({ type: 'bare', port: bare.port, idle: memoryNow() });
  } else if (message.type === 'sample') {
    const cpu = process.cpuUsage();
    if (message.gc) collectGarbage();
    process.send?.(sample(cpu));
  } else {
    await bare?.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
