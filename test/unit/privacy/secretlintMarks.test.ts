// secretlint marks each rule's start and end on the process-wide performance timeline and its
// profiler keeps every mark, scanning all earlier ones at each new one: in a long-lived extension
// host that is unbounded memory and every scan slower than the last. The redactor turns the marks off.
import { strict as assert } from 'node:assert';
import { performance } from 'node:perf_hooks';
import { findSecrets } from '../../../src/core/privacy/secretRedactor';

describe('secretlint leaves nothing behind per scan', () => {
  it('adds no performance marks, however many payloads are scanned', async () => {
    const marks = () => performance.getEntriesByType('mark').filter((e) => e.name.startsWith('@core>')).length;
    await findSecrets('warm = 1'); // loads secretlint
    const before = marks();
    for (let i = 0; i < 20; i++) {
      const found = await findSecrets(`const key = "AKIA${'IOSFODNN7EXAMPL'}${String.fromCharCode(65 + i)}";\nconst n = ${i};`);
      assert.ok(found.length > 0, 'the scan still finds the key');
    }
    await new Promise((r) => setImmediate(r)); // the profiler's observer runs on the next turn
    assert.equal(marks() - before, 0, 'marks added by 20 scans (was about 32 a scan)');
  });
});
