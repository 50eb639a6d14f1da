// How long a 429 asks us to wait. OpenAI and most gateways send `retry-after` in seconds; RFC 9110
// also allows an HTTP date; `retry-after-ms` is a non-standard header the openai SDK itself honours
// first (see its client.js), so we read it first too.

export interface HeaderLookup {
  get(name: string): string | null;
}

/** Milliseconds to wait, or undefined when the response gives no usable hint. Never negative. */
export function retryAfterMs(headers: HeaderLookup | undefined | null, nowMs: number): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const n = Number(ms.trim());
    if (Number.isFinite(n) && n >= 0) return n;
  }
  const ra = headers.get('retry-after');
  if (ra === null || ra.trim() === '') return undefined;
  const value = ra.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  // An HTTP date always names a weekday or month; without letters, Date.parse reads '-5' as a year.
  if (!/[A-Za-z]/.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
