// Wall-clock time for the spend ledger. Not the engine's monotonic Clock: records are dated for
// humans and budgets ("today", "this month"), so they need epoch time; tests pass a fixed one.

export interface WallClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemWallClock: WallClock = { now: () => Date.now() };

/** Calendar day 'YYYY-MM-DD' of `ms` at a fixed offset from UTC (minutes east, e.g. +60 for CET). */
export function dayKey(ms: number, utcOffsetMinutes = 0): string {
  return new Date(ms + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** The UTC offset (minutes east) the host's time zone had at `ms`; DST moves it. */
export function localUtcOffsetMinutes(ms: number): number {
  return -new Date(ms).getTimezoneOffset();
}
