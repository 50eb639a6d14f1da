// Calendar arithmetic for the spend ledger: records are dated for humans and budgets ("today",
// "this month"). The time itself comes from shared/clock's WallClock.

/** Calendar day 'YYYY-MM-DD' of `ms` at a fixed offset from UTC (minutes east, e.g. +60 for CET). */
export function dayKey(ms: number, utcOffsetMinutes = 0): string {
  return new Date(ms + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** The UTC offset (minutes east) the host's time zone had at `ms`; DST moves it. */
export function localUtcOffsetMinutes(ms: number): number {
  return -new Date(ms).getTimezoneOffset();
}
