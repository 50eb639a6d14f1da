// Durations come from the monotonic clock: wall-clock time jumps (NTP, sleep) would corrupt latencies.
export function now(): number {
  return performance.now();
}

export function elapsedMs(since: number): number {
  return performance.now() - since;
}
