// Issue 11, items 2 and 3, as an attacker would measure them: every secret of the leak corpus is put
// in every position a prompt can take it from (refactor selection, context before and after, the
// instruction; cloud inline prefix and suffix; another file's snippet) and, where a window is cut,
// also right across the cut. What the (fake) model receives is searched for each secret verbatim
// and for every fragment of 8 or more characters. Ordinary snippets measure false positives.
// The figures are printed for the closing note.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pickSnippets } from '../../../src/core/completion/contextSnippets';
import { engineSettingsFrom } from '../../../src/core/completion/engineSettings';
import { buildPromptWindow } from '../../../src/core/completion/promptWindow';
import { SpendLedger } from '../../../src/core/cost/ledger';
import { prepareCloudSend, type PayloadPart } from '../../../src/core/privacy/cloudGate';
import { EgressLog, memoryLineStore } from '../../../src/core/privacy/egressLog';
import { createPathExcluder } from '../../../src/core/privacy/pathExclusion';
import { findSecrets } from '../../../src/core/privacy/secretRedactor';
import type { ChatMessage, RefactorBackend } from '../../../src/core/shared/refactorBackend';
import type { CloudContext } from '../../../src/core/routing/cloudContext';
import { cloudInlineServiceFor, cloudPipelineFor, refactorServiceFor } from '../../support/cloudServices';
import { snapshotOf } from '../../support/settingsSnapshot';
import { leakCorpus, type LeakSample } from './fixtures/leakCorpus';
import { ordinaryCorpus } from './fixtures/ordinaryCorpus';

const FRAGMENT = 8;
const BEFORE = 'import { readFile } from "node:fs/promises";\n\nexport async function load(path) {\n  return JSON.parse(await readFile(path, "utf8"));\n}\n\n';
const AFTER = '\n\nfunction retry(times, fn) {\n  for (let i = 0; i < times; i++) {\n    try { return fn(); } catch { /* next */ }\n  }\n}\n';
const PAD_WORDS = ' // see the runbook for the retry policy, timeouts and the on-call rota of this service;';

const ENDPOINT = { effectiveBaseUrl: 'https://api.openai.com/v1', userLevelBaseUrl: undefined, defaultBaseUrl: 'https://api.openai.com/v1' };
const excluder = createPathExcluder();

function gatePart(parts: PayloadPart[], confirmed: boolean) {
  return prepareCloudSend({ payloadParts: parts, trusted: true, mode: 'hybrid', excludedCheck: (p) => excluder.isExcludedPath(p), endpoint: ENDPOINT, secretsConfirmed: confirmed });
}

/** Records what would be sent. No usage comes back, so nothing is written to the ledger. */
function capturingBackend(sent: string[]): RefactorBackend {
  return {
    route: 'cloud',
    model: 'gpt-5.4-mini',
    async run(messages: readonly ChatMessage[]) {
      sent.push(messages.map((m) => m.content).join('\n'));
      return { kind: 'error', error: { kind: 'network', message: 'not sent: test' } as never, partialText: '' };
    },
  };
}

const SENT: string[] = [];
let context: CloudContext;

/** The refactor service as the extension wires it (cloud pipeline, gate, reservations), with a recording backend. */
async function refactorSent(parts: { before: string; selection: string; after: string; instruction?: string; maxContextChars?: number }): Promise<{ sent: string; confirmation: boolean }> {
  SENT.length = 0;
  let confirmation = false;
  const service = refactorServiceFor(context, cloudPipelineFor(context, () => capturingBackend(SENT)));
  await service.run({
    selection: parts.selection, before: parts.before, after: parts.after, languageId: 'typescript', instruction: parts.instruction ?? 'Tidy this up',
    range: { start: parts.before.length, end: parts.before.length + parts.selection.length }, documentVersion: 1, eol: '\n', relativePath: 'src/app.ts',
    ...(parts.maxContextChars !== undefined ? { maxContextChars: parts.maxContextChars } : {}),
  }, { signal: new AbortController().signal, confirmSecrets: async () => { confirmation = true; return true; } });
  return { sent: SENT.join('\n'), confirmation };
}

/** Where the secret sits: its value's offset and the bounds of the line(s) it is on. */
function locate(sample: LeakSample) {
  const s = sample.secrets[0];
  const at = sample.text.indexOf(s);
  assert.ok(at >= 0, `${sample.format}: the secret is in the text`);
  const lineStart = sample.text.lastIndexOf('\n', at - 1) + 1;
  const nl = sample.text.indexOf('\n', at + s.length);
  return { s, at, lineStart, lineEnd: nl === -1 ? sample.text.length : nl };
}

interface Tally { cases: number; straddles: number; leaks: number; fragments: number; sends: number; failures: string[] }

function check(t: Tally, sample: LeakSample, position: string, sent: string | undefined): void {
  t.cases++;
  if (sent === undefined || sent === '') return;
  t.sends++;
  let verbatim = false;
  let fragment = false;
  for (const s of sample.secrets) {
    if (sent.includes(s)) verbatim = true;
    for (let i = 0; i + FRAGMENT <= s.length && !fragment; i++) if (sent.includes(s.slice(i, i + FRAGMENT))) fragment = true;
  }
  if (verbatim) t.leaks++;
  if (fragment) t.fragments++;
  if ((verbatim || fragment) && t.failures.length < 40) t.failures.push(`${position} | ${sample.format} (${sample.language})${verbatim ? '' : ' [fragment]'}`);
}

describe('secret leak corpus (issue 11 items 2 and 3)', function () {
  this.timeout(1_800_000);
  // LEAK_CORPUS_LIMIT / LEAK_CORPUS_FORMAT (a regex) run part of the corpus while working on a rule;
  // the suite runs it whole.
  const corpus = leakCorpus()
    .filter((c) => new RegExp(process.env.LEAK_CORPUS_FORMAT ?? '').test(c.format))
    .slice(0, Number(process.env.LEAK_CORPUS_LIMIT ?? Infinity));
  const ordinary = ordinaryCorpus();
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'tandem-leak-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is at least 200 secrets in at least 30 formats and 8 languages, and 300 ordinary snippets', () => {
    const all = leakCorpus();
    assert.ok(all.length >= 200, `${all.length} secrets`);
    assert.ok(new Set(all.map((s) => s.format)).size >= 30);
    assert.ok(new Set(all.map((s) => s.language)).size >= 8);
    assert.ok(ordinary.length >= 300, `${ordinary.length} ordinary snippets`);
  });

  it('no secret leaves verbatim or as a fragment of 8+ characters from any position, cut or not; every selection asks first', async () => {
    const t: Tally = { cases: 0, straddles: 0, leaks: 0, fragments: 0, sends: 0, failures: [] };
    let unconfirmed = 0;
    const raw: Record<string, unknown> = { 'cloud.baseUrl': ENDPOINT.effectiveBaseUrl, 'inline.cloudFallback': true };
    const settings = snapshotOf(raw);
    const es = engineSettingsFrom(settings);
    const inlineSent: string[] = [];
    context = {
      settings: () => settings, trusted: () => true, workspaceName: () => 'ws', isExcluded: (p) => excluder.isExcludedPath(p),
      localHealth: () => ({ kind: 'offline', detail: 'down' }), apiKey: async () => 'sk-test-key-0123456789',
      ledger: new SpendLedger(join(dir, 'ledger')), egress: new EgressLog(memoryLineStore()),
    };
    const inline = cloudInlineServiceFor(context, cloudPipelineFor(context, () => capturingBackend(inlineSent)));
    const inlineRun = async (text: string, offset: number, n: number): Promise<string | undefined> => {
      inlineSent.length = 0;
      await inline.complete({ relativePath: 'src/app.ts', documentKey: `doc${n}`, languageId: 'typescript', text, offset, trigger: 'invoke' }, new AbortController().signal);
      return inlineSent[0];
    };

    let n = 0;
    for (const sample of corpus) {
      const { s, at, lineStart, lineEnd } = locate(sample);
      const text = sample.text;

      // Refactor: the sample as the selection (must ask first), as context on either side, as the instruction.
      const sel = await refactorSent({ before: BEFORE, selection: text, after: AFTER });
      if (!sel.confirmation) unconfirmed++;
      check(t, sample, 'selection', sel.sent);
      check(t, sample, 'context before', (await refactorSent({ before: BEFORE + text, selection: 'x = 1;\n', after: AFTER })).sent);
      check(t, sample, 'context after', (await refactorSent({ before: BEFORE, selection: 'x = 1;\n', after: text + AFTER })).sent);
      check(t, sample, 'instruction', (await refactorSent({ before: BEFORE, selection: 'x = 1;\n', after: AFTER, instruction: `Use these settings:\n${text}` })).sent);

      // Refactor context cut across the secret: the selection starts right after the secret's line
      // (so the kept tail of `before` starts mid-secret), or ends right before it.
      const mid = at + Math.floor(s.length / 2);
      const before = BEFORE + text.slice(0, lineEnd);
      t.straddles += 2;
      check(t, sample, 'context before, cut inside the secret', (await refactorSent({ before, selection: '\n  done();\n', after: AFTER, maxContextChars: before.length - (BEFORE.length + mid) })).sent);
      check(t, sample, 'context after, cut inside the secret', (await refactorSent({ before: BEFORE + text.slice(0, lineStart), selection: 'x = 1;\n', after: text.slice(lineStart) + AFTER, maxContextChars: mid - lineStart })).sent);

      // Cloud inline: the file around the cursor, the secret in the prefix, in the suffix, and
      // across the prefix window's start (the rest of the secret's line runs up to the cursor).
      check(t, sample, 'inline prefix', await inlineRun(BEFORE + text + '\n', BEFORE.length + text.length + 1, n++));
      check(t, sample, 'inline suffix', await inlineRun(BEFORE + '\n' + text + AFTER, BEFORE.length, n++));
      // The prefix start moves on a grid of maxPrefixChars/8: a comment line in front puts a grid
      // point in the middle of the secret, and the cursor goes where the budget reaches back to it.
      const grid = Math.floor(es.maxPrefixChars / 8);
      const target0 = BEFORE.length + mid;
      const lead = ((grid - (target0 % grid)) % grid) + grid;
      const front = '//' + '-'.repeat(lead - 3) + '\n' + BEFORE + text.slice(0, lineEnd);
      const cursor = target0 + lead + es.maxPrefixChars;
      const doc = front + PAD_WORDS.repeat(Math.ceil(es.maxPrefixChars / PAD_WORDS.length) + 1).slice(0, cursor - front.length);
      const naive = buildPromptWindow({ text: doc, offset: doc.length, languageId: 'typescript' }, { maxPrefixChars: es.maxPrefixChars, maxSuffixChars: es.maxSuffixChars }).prefixStart;
      if (cursor >= front.length && naive > lead + BEFORE.length + at && naive < lead + BEFORE.length + at + s.length) {
        t.straddles++;
        check(t, sample, 'inline prefix, cut inside the secret', await inlineRun(doc + '\n' + AFTER, doc.length, n++));
      }

      // Another file's snippet, whole and cut inside the secret, rendered into the prompt and sent
      // through the gate (the one redaction path for anything that leaves).
      const current = 'export function main() {\n  \n}\n';
      const snippetPrompt = async (other: string, focus: number, maxCharsPerFile: number) => {
        const snippets = pickSnippets({ path: 'src/main.ts', languageId: 'typescript' }, [{ path: 'src/other.ts', languageId: 'typescript', readText: () => other, focusOffset: focus, excluded: false }], { maxFiles: 1, maxCharsPerFile });
        const w = buildPromptWindow({ text: current, offset: 27, languageId: 'typescript' }, { maxPrefixChars: 4000, maxSuffixChars: 500, maxSnippetChars: 3000 }, snippets);
        const d = await gatePart([{ role: 'prompt', text: w.prefix, path: 'src/main.ts' }, { role: 'prompt', text: w.suffix, path: 'src/main.ts' }], false);
        return d.kind === 'send' ? d.parts.map((p) => p.text).join('') : undefined;
      };
      check(t, sample, 'snippet', await snippetPrompt(text, 0, 1500));
      const one = text.slice(0, lineEnd);
      t.straddles++;
      check(t, sample, 'snippet, cut inside the secret', await snippetPrompt(one, one.length, one.length - mid));
    }

    const formats = new Set(corpus.map((c) => c.format)).size;
    const languages = new Set(corpus.map((c) => c.language)).size;
    console.log(`      [leak corpus] secrets=${corpus.length} formats=${formats} languages=${languages} placements=${t.cases} (sent ${t.sends}, across a cut ${t.straddles}) leaks=${t.leaks} fragmentLeaks=${t.fragments} selectionsWithoutConfirmation=${unconfirmed}`);
    for (const f of t.failures) console.log(`        leaked: ${f}`);
    assert.ok(t.sends > t.cases * 0.9, `most placements were sent (${t.sends} of ${t.cases})`);
    assert.equal(t.leaks, 0, 'verbatim leaks');
    assert.equal(t.fragments, 0, 'fragment leaks');
    assert.equal(unconfirmed, 0, 'selections holding a secret that did not ask for confirmation');
  });

  it('flags at most 2% of ordinary snippets', async () => {
    const flagged: string[] = [];
    for (const o of ordinary) {
      const found = await findSecrets(o.text);
      if (found.length > 0) flagged.push(`${o.source}: ${found.map((f) => `${f.ruleId} "${o.text.slice(f.start, Math.min(f.end, f.start + 40))}"`).join(', ')}`);
    }
    const rate = flagged.length / ordinary.length;
    console.log(`      [leak corpus] ordinary=${ordinary.length} flagged=${flagged.length} falsePositiveRate=${(rate * 100).toFixed(2)}%`);
    for (const f of flagged) console.log(`        flagged: ${f}`);
    assert.ok(rate <= 0.02, `false-positive rate ${(rate * 100).toFixed(2)}%`);
  });
});
