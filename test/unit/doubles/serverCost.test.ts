// The Ollama double's cost model: what a one-slot llama.cpp server charges for prompts (KV cache
// over the common start of consecutive prompts, a queue, aborts during prompt processing).
import { strict as assert } from 'node:assert';
import { Ollama } from 'ollama';
import {
  CHARS_PER_TOKEN, PROMPT_BATCH_TOKENS, renderPrompt, SERVER_PROFILES, ServerSlot, tokensIn, type ServerProfile,
} from '../../doubles/serverCost';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollamaDouble';

const QWEN = '{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>{{- else }}{{ .Prompt }}{{- end }}';
const text = (n: number, seed = 'x'): string => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7 + seed.charCodeAt(0)) % 26))).join('');

describe('serverCost', () => {
  describe('profiles', () => {
    it('are the issue\'s four, with `fixed` charging nothing for prompts', () => {
      assert.deepEqual(Object.keys(SERVER_PROFILES), ['fixed', 'gpu', 'laptop', 'cpu']);
      const cases: Array<[keyof typeof SERVER_PROFILES, number, number, number]> = [
        ['fixed', 150, Infinity, 20], ['gpu', 40, 8000, 10], ['laptop', 60, 1500, 20], ['cpu', 100, 200, 45],
      ];
      for (const [name, base, rate, per] of cases) {
        assert.deepEqual(SERVER_PROFILES[name], { name, baseMs: base, promptTokensPerSec: rate, perTokenMs: per });
      }
    });
  });

  describe('renderPrompt', () => {
    it('applies the FIM branch with a suffix, the plain branch without, and leaves raw prompts alone', () => {
      assert.equal(renderPrompt(QWEN, 'def f(', ')\n', false), '<|fim_prefix|>def f(<|fim_suffix|>)\n<|fim_middle|>');
      assert.equal(renderPrompt(QWEN, 'def f(', '', false), 'def f(');
      assert.equal(renderPrompt(QWEN, '<|fim_suffix|>s<|fim_prefix|>p<|fim_middle|>', 'ignored', true), '<|fim_suffix|>s<|fim_prefix|>p<|fim_middle|>');
      assert.equal(renderPrompt('{{ .Prompt }}', 'a $& b', '', false), 'a $& b');
    });
  });

  describe('ServerSlot.plan (time to first token = base + uncached / rate)', () => {
    const laptop = SERVER_PROFILES.laptop;
    const rows: Array<{ name: string; previous: string; prompt: string; cached: number }> = [
      { name: 'a cold cache processes everything', previous: '', prompt: text(700), cached: 0 },
      { name: 'the same prompt again is all cached', previous: text(700), prompt: text(700), cached: 200 },
      { name: 'a prompt extending the last reuses all of it', previous: text(350), prompt: text(700), cached: 100 },
      { name: 'a change in the middle keeps only the common start', previous: text(700), prompt: `${text(350)}CHANGED${text(343)}`, cached: 100 },
      { name: 'a change at the start loses the whole cache', previous: text(700), prompt: `Z${text(699)}`, cached: 0 },
    ];
    for (const r of rows) {
      it(r.name, () => {
        const slot = new ServerSlot(laptop);
        slot.promptDone(r.previous);
        const plan = slot.plan(r.prompt);
        assert.equal(plan.promptTokens, tokensIn(r.prompt.length));
        assert.equal(plan.cachedTokens, r.cached);
        assert.equal(plan.uncachedTokens, plan.promptTokens - r.cached);
        assert.equal(plan.firstTokenMs, laptop.baseMs + (plan.uncachedTokens * 1000) / laptop.promptTokensPerSec);
      });
    }

    it('charges only the base with `fixed`, however long the prompt', () => {
      const slot = new ServerSlot(SERVER_PROFILES.fixed);
      assert.equal(slot.plan(text(20_000)).firstTokenMs, 150);
    });

    it('a suffix-first layout keeps the suffix cached where prefix-first reprocesses it on every keystroke', () => {
      const prefix = text(2800, 'p');
      const suffix = text(1000, 's');
      const psm = (p: string) => `<|fim_prefix|>${p}<|fim_suffix|>${suffix}<|fim_middle|>`;
      const spm = (p: string) => `<|fim_suffix|>${suffix}<|fim_prefix|>${p}<|fim_middle|>`;
      const cost = (layout: (p: string) => string): number => {
        const slot = new ServerSlot(SERVER_PROFILES.cpu);
        slot.promptDone(layout(prefix));
        return slot.plan(layout(`${prefix}abc`)).uncachedTokens;
      };
      assert.ok(cost(psm) >= tokensIn(suffix.length), `PSM ${cost(psm)}`);
      assert.ok(cost(spm) <= 8, `SPM ${cost(spm)}`); // the typed text and the closing FIM marker
    });
  });

  describe('ServerSlot.abortDuringPrompt', () => {
    const profile: ServerProfile = { name: 'test', baseMs: 100, promptTokensPerSec: 1000, perTokenMs: 10 };
    it('before prompt processing began: nothing processed, the slot is free at once, the cache keeps the common start', () => {
      const slot = new ServerSlot(profile);
      slot.promptDone(text(700));
      const prompt = `${text(350)}NEW${text(2000)}`;
      const plan = slot.plan(prompt);
      assert.deepEqual(slot.abortDuringPrompt(prompt, plan, 50), { processedTokens: 0, busyForMs: 0 });
      assert.equal(slot.cached.length, 100 * CHARS_PER_TOKEN);
    });
    it('mid-prompt: the batch in hand is finished and paid for, and stays cached', () => {
      const slot = new ServerSlot(profile);
      const prompt = text(3500); // 1000 tokens, 1 s of prompt processing
      const plan = slot.plan(prompt);
      const r = slot.abortDuringPrompt(prompt, plan, 100 + 200); // 200 tokens in
      assert.equal(r.processedTokens, PROMPT_BATCH_TOKENS);
      assert.equal(r.busyForMs, 100 + PROMPT_BATCH_TOKENS - 300);
      assert.equal(slot.plan(prompt).cachedTokens, PROMPT_BATCH_TOKENS);
    });
    it('in the last batch: the whole prompt is processed', () => {
      const slot = new ServerSlot(profile);
      const prompt = text(3500);
      const plan = slot.plan(prompt);
      const r = slot.abortDuringPrompt(prompt, plan, 100 + 900);
      assert.equal(r.processedTokens, plan.uncachedTokens);
      assert.equal(r.busyForMs, 100);
    });
  });

  describe('ServerSlot.acquire', () => {
    it('runs one request at a time in arrival order, and a cancelled waiter never runs', () => {
      const slot = new ServerSlot(SERVER_PROFILES.gpu);
      const ran: string[] = [];
      slot.acquire(() => ran.push('a'));
      slot.acquire(() => ran.push('b'));
      const c = slot.acquire(() => ran.push('c'));
      slot.acquire(() => ran.push('d'));
      assert.deepEqual(ran, ['a']);
      assert.equal(slot.queued, 3);
      c.cancel();
      slot.release();
      assert.deepEqual(ran, ['a', 'b']);
      slot.release();
      assert.deepEqual(ran, ['a', 'b', 'd']);
      slot.release();
      slot.acquire(() => ran.push('e'));
      assert.deepEqual(ran, ['a', 'b', 'd', 'e']);
    });
  });

  describe('in the Ollama double (over HTTP, real client)', () => {
    let d: OllamaDouble;
    const profile: ServerProfile = { name: 'test', baseMs: 20, promptTokensPerSec: 2000, perTokenMs: 2 };
    beforeEach(async () => {
      d = await startOllamaDouble({ server: profile, respond: () => 'one two three four' });
    });
    afterEach(async () => {
      await d.close();
    });

    it('queues a second request behind the first and caches the shared prompt start', async () => {
      const ollama = new Ollama({ host: d.url });
      const prompt = text(1400); // 400 tokens: 200 ms of prompt processing
      const [a, b] = await Promise.all([
        ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt, suffix: '\n}', stream: false }),
        ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: `${prompt}x`, suffix: '\n}', stream: false }),
      ]);
      const [g1, g2] = d.generations;
      assert.ok(g2.startedAt! >= g1.endedAt!, 'the second waited for the slot');
      assert.equal(g1.cachedTokens, 0);
      assert.ok(g1.firstTokenAt! - g1.startedAt! >= 20 + 200 - 2, `ttft ${g1.firstTokenAt! - g1.startedAt!}`);
      const shared = Math.floor(('<|fim_prefix|>'.length + prompt.length) / CHARS_PER_TOKEN);
      assert.equal(g2.cachedTokens, shared, 'the whole previous prefix (template start included) is reused');
      assert.equal(g2.firstTokenDueMs, 20 + ((g2.promptTokens! - shared) * 1000) / 2000);
      assert.ok(g2.firstTokenAt! - g2.startedAt! >= g2.firstTokenDueMs! - 2);
      assert.equal(a.prompt_eval_count, g1.promptTokens);
      // prompt_eval_duration is the prompt's processing alone, so a client can learn the prompt rate from it.
      assert.equal(a.prompt_eval_duration, Math.round(((g1.promptTokens! * 1000) / 2000) * 1e6));
      assert.equal(b.prompt_eval_count, g2.promptTokens! - shared);
      assert.ok(g1.renderedPrompt.startsWith('<|fim_prefix|>'));
      assert.deepEqual(g1.tokens.join(''), 'one two three four');
      assert.equal(g1.tokenTimes.length, g1.tokens.length);
    });

    it('a request aborted during prompt processing holds the slot to the end of its batch', async () => {
      const ollama = new Ollama({
        host: d.url,
        fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(60) }),
      });
      const long = text(7000); // 2000 tokens: 1 s
      await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: long, suffix: 'z', stream: true }).catch(() => undefined);
      const abortedAt = Date.now();
      const next = new Ollama({ host: d.url });
      await next.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'other', suffix: 'z', stream: false });
      const [g1, g2] = d.generations;
      assert.equal(g1.aborted, true);
      assert.equal(g1.processedTokens, PROMPT_BATCH_TOKENS);
      // The batch ends 20 + 256 ms after the slot was granted; the next request starts then.
      assert.ok(g2.startedAt! - g1.startedAt! >= 20 + 256 - 5, `next started ${g2.startedAt! - g1.startedAt!} ms after`);
      assert.ok(g2.startedAt! > abortedAt);
    });
  });
});
