// npm run soak: 10,000 simulated completion requests through the engine in one process, with
// --expose-gc so heap figures are after a full collection. Prints the figures and writes
// soak-results.json; exits 1 when something is left behind.
import { writeFileSync } from 'node:fs';
import { runSoak } from './soakRun';

const HEAP_GROWTH_LIMIT_BYTES = 16 * 1024 * 1024;

async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 10_000);
  const r = await runSoak({ requests, progressEvery: 2000, log: (l) => console.log(`  ${l}`) });
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(2)} MB`;
  console.log(`Soak: ${r.requests} completion requests (${r.backendRequests} reached the backend) in ${(r.wallMs / 1000).toFixed(1)} s wall, ${(r.virtualMs / 60000).toFixed(1)} min virtual`);
  console.log(`  outcomes: ${Object.entries(r.outcomes).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  heap: before ${mb(r.heapBeforeBytes)}, after warm-up ${mb(r.heapAfterWarmupBytes)}, after ${mb(r.heapAfterBytes)}; growth ${mb(r.heapGrowthBytes)} (${mb(r.heapGrowthAfterWarmupBytes)} after warm-up)${r.gcAvailable ? '' : ' [no --expose-gc: figures include garbage]'}`);
  console.log(`  timers left on the engine clock: ${r.pendingClockTimers}; abort listeners left: ${r.danglingAbortListeners}; unhandled rejections: ${r.unhandledRejections}; most requests in flight: ${r.maxInFlight}`);
  console.log(`  active resources before: [${r.activeResourcesBefore.join(', ')}] after: [${r.activeResourcesAfter.join(', ')}]`);
  writeFileSync('soak-results.json', `${JSON.stringify({ ...r, heapGrowthLimitBytes: HEAP_GROWTH_LIMIT_BYTES, at: new Date().toISOString(), node: process.version }, null, 2)}\n`);
  const newResources = r.activeResourcesAfter.length - r.activeResourcesBefore.length;
  const ok = r.pendingClockTimers === 0 && r.danglingAbortListeners === 0 && r.unhandledRejections === 0
    && r.heapGrowthBytes < HEAP_GROWTH_LIMIT_BYTES && newResources <= 0 && r.maxInFlight <= 1;
  console.log(ok ? 'Soak: PASS' : 'Soak: FAIL');
  process.exitCode = ok ? 0 : 1;
}

void main();
