// "Show What Will Be Sent": the page shows the redacted messages, host, model and ceiling, never a secret.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpendLedger } from '../../../src/core/cost/ledger';
import { EgressLog, memoryLineStore } from '../../../src/core/privacy/egressLog';
import { createPathExcluder } from '../../../src/core/privacy/pathExclusion';
import { sendPreviewMarkdown } from '../../../src/core/refactor/sendPreview';
import { refactorServiceFor } from '../../support/cloudServices';
import { snapshotOf } from '../../support/settingsSnapshot';

describe('sendPreviewMarkdown', () => {
  const secret = 'ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
  const before = `const token = "${secret}";\nexport function area(r: number) {\n`;
  const req = {
    relativePath: 'src/shapes.ts', languageId: 'typescript', instruction: 'Use Math.PI', before, selection: '  return 3.14 * r * r;\n',
    after: '}\n', range: { start: before.length, end: before.length + 24 }, documentVersion: 1, eol: '\n' as const,
  };
  function service(user: Record<string, unknown>) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-preview-'));
    const settings = snapshotOf(user);
    return refactorServiceFor({
      settings: () => settings, trusted: () => true, workspaceName: () => 'ws', isExcluded: (p) => createPathExcluder().isExcludedPath(p),
      localHealth: () => undefined, apiKey: async () => 'sk-x', ledger: new SpendLedger(dir), egress: new EgressLog(memoryLineStore()),
    });
  }

  it('shows the redacted prompt, where it goes and what it may cost', async () => {
    const md = sendPreviewMarkdown(await service({}).plan(req));
    assert.match(md, /What this refactor would send to api\.openai\.com/);
    assert.match(md, /Ceiling cost: \$/);
    assert.match(md, /TANDEM_REDACTED_1/);
    assert.match(md, /return 3\.14 \* r \* r;/);
    assert.ok(!md.includes(secret.slice(4, 16)));
  });

  it('says nothing would be sent in local-only mode', async () => {
    const md = sendPreviewMarkdown(await service({ 'privacy.mode': 'localOnly' }).plan(req));
    assert.match(md, /^# Nothing would be sent/);
    assert.ok(!md.includes('return 3.14'));
  });
});
