import * as assert from 'node:assert/strict';
import { abortableSleep } from '../../../src/core/shared/clock';
import { retryAfterMs } from '../../../src/core/backends/retryAfter';

describe('retryAfterMs', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');
  const rows: { name: string; headers: Record<string, string> | undefined; want: number | undefined }[] = [
    { name: 'seconds', headers: { 'retry-after': '2' }, want: 2000 },
    { name: 'fractional seconds', headers: { 'retry-after': '0.5' }, want: 500 },
    { name: 'zero', headers: { 'retry-after': '0' }, want: 0 },
    { name: 'HTTP date in the future', headers: { 'retry-after': 'Tue, 10 Mar 2026 12:00:07 GMT' }, want: 7000 },
    { name: 'HTTP date in the past', headers: { 'retry-after': 'Tue, 10 Mar 2026 11:59:00 GMT' }, want: 0 },
    { name: 'retry-after-ms wins', headers: { 'retry-after-ms': '150', 'retry-after': '9' }, want: 150 },
    { name: 'bad retry-after-ms falls back', headers: { 'retry-after-ms': 'soon', 'retry-after': '3' }, want: 3000 },
    { name: 'garbage', headers: { 'retry-after': 'later' }, want: undefined },
    { name: 'negative seconds', headers: { 'retry-after': '-5' }, want: undefined },
    { name: 'no header', headers: {}, want: undefined },
    { name: 'no headers at all', headers: undefined, want: undefined },
  ];
  for (const r of rows) {
    it(r.name, () => assert.equal(retryAfterMs(r.headers && new Headers(r.headers), now), r.want));
  }
});

describe('abortableSleep', () => {
  it('waits the time when not aborted', async () => {
    const t = Date.now();
    await abortableSleep(30, new AbortController().signal);
    assert.ok(Date.now() - t >= 25);
  });

  it('ends early when aborted', async () => {
    const ac = new AbortController();
    const t = Date.now();
    setTimeout(() => ac.abort(), 10);
    await abortableSleep(5000, ac.signal);
    assert.ok(Date.now() - t < 1000);
  });
});
