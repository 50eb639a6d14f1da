// What prompt order costs a one-slot llama.cpp server while the user types: real code from the
// benchmark corpus is typed back one character at a time, a prompt is built after every key with
// the real window and the family's real template, and the Ollama double's cost model (KV cache over
// the common start of consecutive prompts) counts the tokens it must process again.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildPromptWindow } from '../../../src/core/completion/promptWindow';
import { fimTemplateForModel, type FimTemplate } from '../../../src/core/shared/fimTemplates';
import { SERVER_PROFILES, ServerSlot } from '../../doubles/serverCost';

const CORPUS = path.join(__dirname, '../../../bench/corpus');

/** Uncached prompt tokens per keystroke when a request is sent after every `every`-th key. */
function uncachedPerKey(file: string, template: FimTemplate, every: number): number {
  const text = fs.readFileSync(path.join(CORPUS, file), 'utf8');
  // Type back 300 characters from the middle of the file, as the editor benchmark does.
  const start = text.indexOf('\n', Math.floor(text.length / 2)) + 1;
  const slot = new ServerSlot(SERVER_PROFILES.laptop);
  let uncached = 0;
  let keys = 0;
  for (let typed = 0; typed <= 300; typed++) {
    const doc = text.slice(0, start + typed) + text.slice(start + 300);
    if (typed % every !== 0) continue;
    const win = buildPromptWindow({ text: doc, offset: start + typed }, { maxPrefixChars: 3000, maxSuffixChars: 1000 });
    const prompt = template.build(win.prefix, win.suffix);
    const plan = slot.plan(prompt);
    if (typed > 0) {
      uncached += plan.uncachedTokens;
      keys += every;
    }
    slot.promptDone(prompt);
  }
  return uncached / keys;
}

describe('prompt order and the server KV cache', () => {
  for (const file of ['completionCache.ts.txt', 'inventory.py.txt']) {
    for (const every of [1, 10]) {
      it(`${file}, a request every ${every} key(s): suffix-first reprocesses a fraction of prefix-first`, () => {
        const psm = uncachedPerKey(file, fimTemplateForModel('qwen2.5-coder:1.5b-base')!, every);
        const spm = uncachedPerKey(file, fimTemplateForModel('codellama:7b-code')!, every);
        // Prefix-first reprocesses the whole suffix window (~1,000 characters) on every request;
        // suffix-first only what was typed since the last one (plus the template's last tokens).
        assert.ok(psm > 250 / every, `prefix-first ${psm.toFixed(1)} tokens a key`);
        assert.ok(spm * 10 < psm, `suffix-first ${spm.toFixed(1)} vs prefix-first ${psm.toFixed(1)} tokens a key`);
      });
    }
  }
});
