// A stream that shouldStop ends is closed right AFTER its answer is handed back (closing costs
// about a millisecond that the user would otherwise wait), and still before the next request goes
// out: the server never has two generations from this client at once.
import { strict as assert } from 'node:assert';
import { OllamaBackend } from '../../../src/core/backends/ollamaBackend';
import type { FimRequest } from '../../../src/core/shared/modelBackend';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollamaDouble';

describe('OllamaBackend: a stream stopped at its newline', function () {
  this.timeout(10_000);
  let double: OllamaDouble;

  beforeEach(async () => {
    double = await startOllamaDouble({
      schedule: { firstTokenMs: 5, perTokenMs: 20 },
      respond: () => 'first(line);\nsecond(line);\nthird(line);\n',
    });
  });

  afterEach(async () => {
    await double.close();
  });

  const req = (prefix: string): FimRequest => ({
    prefix, suffix: '\n', languageId: 'typescript', maxTokens: 128, stop: [], temperature: 0.2,
    shouldStop: (t) => t.includes('\n'),
  });

  it('answers with the first line, then the server sees the client leave before the rest', async () => {
    const backend = new OllamaBackend({ host: double.url, model: 'qwen2.5-coder:1.5b-base', keepAlive: '5m' });
    const r = await backend.complete(req('const a = '), new AbortController().signal);
    assert.ok(r.text.startsWith('first(line);\n') && !r.text.includes('second(line)'), r.text);
    assert.equal(r.finish, 'client');
    await double.waitFor(() => double.disconnects.length === 1, 2000);
    assert.equal(double.generations[0].completed, false);
  });

  it('closes a stopped stream before the next request goes out, even one started the moment the answer arrived', async () => {
    // Seen from the client, where it is not a race: how many earlier generate connections were
    // still open when each request left.
    const signals: AbortSignal[] = [];
    const openAtSend: number[] = [];
    const counting: typeof fetch = (input, init) => {
      if (String(input).endsWith('/api/generate') && init?.signal) {
        openAtSend.push(signals.filter((x) => !x.aborted).length);
        signals.push(init.signal);
      }
      return fetch(input, init);
    };
    const backend = new OllamaBackend({ host: double.url, model: 'qwen2.5-coder:1.5b-base', keepAlive: '5m', fetch: counting });
    // The second request starts in the same microtask the first answer is delivered in, as the
    // engine's speculative prefetch does.
    const r = await backend.complete(req('const a = '), new AbortController().signal)
      .then(() => backend.complete(req('const b = '), new AbortController().signal));
    assert.ok(r.text.startsWith('first(line);\n'), r.text);
    assert.deepEqual(openAtSend, [0, 0], 'no generate connection was open when a request left');
    await double.waitFor(() => double.disconnects.length === 2, 2000);
    assert.deepEqual(double.generations.map((g) => g.completed), [false, false]);
  });
});
