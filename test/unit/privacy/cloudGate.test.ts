import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { payloadDigest, prepareCloudSend, type CloudSendDecision, type CloudSendRequest, type PayloadPart } from '../../../src/core/privacy/cloudGate';
import { createPathExcluder } from '../../../src/core/privacy/pathExclusion';
import { buildWorkspace, selectionIn, workspaceArbitrary } from './fixtures/generatedWorkspace';
import { secretMakers, seededRng } from './fixtures/secretCorpus';

const OPENAI = 'https://api.openai.com/v1';
const excluder = createPathExcluder({ globs: ['**/*.private.ts'], tandemignoreText: 'internal/\n' });

function request(parts: PayloadPart[], changes: Partial<CloudSendRequest> = {}): CloudSendRequest {
  return {
    payloadParts: parts,
    trusted: true,
    mode: 'hybrid',
    excludedCheck: (p) => excluder.isExcludedPath(p),
    endpoint: { effectiveBaseUrl: OPENAI, userLevelBaseUrl: undefined, defaultBaseUrl: OPENAI },
    ...changes,
  };
}

function expectSend(d: CloudSendDecision) {
  assert.equal(d.kind, 'send', 'explain' in d ? d.explain : '');
  return d as Extract<CloudSendDecision, { kind: 'send' }>;
}

const GH = 'gh' + 'p_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';

describe('prepareCloudSend', () => {
  const plain: PayloadPart[] = [
    { role: 'instruction', text: 'Rename x to count.' },
    { role: 'selection', text: 'let x = 0;\nx++;\n', path: 'src/a.ts', key: 'selection' },
    { role: 'context', text: 'import { b } from "./b";\n', path: 'src/a.ts', key: 'before' },
  ];

  describe('refusals', () => {
    const table: Array<[string, Partial<CloudSendRequest>, string]> = [
      ['untrusted workspace', { trusted: false }, 'untrustedWorkspace'],
      ['local-only mode', { mode: 'localOnly' }, 'localOnlyMode'],
      ['workspace points the base URL elsewhere', { endpoint: { effectiveBaseUrl: 'https://evil.example/v1', userLevelBaseUrl: undefined, defaultBaseUrl: OPENAI } }, 'endpointNotAllowed'],
      ['user-level URL set, workspace overrides it', { endpoint: { effectiveBaseUrl: OPENAI, userLevelBaseUrl: 'https://proxy.corp/v1', defaultBaseUrl: OPENAI } }, 'endpointNotAllowed'],
    ];
    for (const [name, changes, reason] of table) {
      it(name, async () => {
        const d = await prepareCloudSend(request(plain, changes));
        assert.equal(d.kind, 'refuse');
        assert.equal(d.kind === 'refuse' && d.reason, reason);
        assert.ok(d.explain.length > 0);
      });
    }

    for (const [role, path] of [['selection', '.env'], ['prompt', 'internal/x.ts'], ['selection', 'src/keys.private.ts']] as const) {
      it(`an excluded file as ${role} (${path}) is refused, with the rule`, async () => {
        const d = await prepareCloudSend(request([{ role, text: 'A=1', path }]));
        assert.equal(d.kind, 'refuse');
        assert.equal(d.kind === 'refuse' && d.reason, 'excludedFile');
        assert.ok(d.explain.includes(path));
      });
    }
  });

  it('sends plain code unchanged, in order, with keys kept and a digest of what is sent', async () => {
    const d = expectSend(await prepareCloudSend(request(plain)));
    assert.deepEqual(d.parts, plain);
    assert.deepEqual(d.redactions, []);
    assert.deepEqual(d.dropped, []);
    assert.deepEqual({ bytes: d.bytes, sha256: d.sha256 }, payloadDigest(plain));
    assert.match(d.sha256, /^[0-9a-f]{64}$/);
    assert.equal(d.restore('anything'), 'anything');
  });

  it('drops context from excluded files silently and reports only path and rule', async () => {
    const d = expectSend(await prepareCloudSend(request([
      ...plain,
      { role: 'context', text: 'DB_PASSWORD=hunter2hunter2', path: 'services/.env.local' },
      { role: 'context', text: 'export const token = 1;', path: 'internal/t.ts' },
      { role: 'context', text: 'export const ok = 1;', path: 'src/ok.ts' },
    ])));
    assert.deepEqual(d.parts.map((p) => p.path), [undefined, 'src/a.ts', 'src/a.ts', 'src/ok.ts']);
    assert.deepEqual(d.dropped, [
      { path: 'services/.env.local', rule: 'default: .env*' },
      { path: 'internal/t.ts', rule: '.tandemignore: internal/' },
    ]);
    assert.ok(!JSON.stringify(d.parts).includes('hunter2'));
  });

  it('a secret in the selection asks first; proceed() sends it redacted and restore brings it back', async () => {
    const parts: PayloadPart[] = [
      { role: 'instruction', text: 'Read the token from the environment.' },
      { role: 'selection', text: `const a = 1;\nconst t = "${GH}";\n`, path: 'src/a.ts' },
    ];
    const first = await prepareCloudSend(request(parts));
    assert.equal(first.kind, 'needsConfirmation');
    if (first.kind !== 'needsConfirmation') return;
    assert.equal(first.reason, 'secretInSelection');
    assert.deepEqual(first.findings.map((f) => f.line), [2, 2]);
    assert.ok(!first.explain.includes(GH) && !JSON.stringify(first.findings).includes(GH));

    const d = expectSend(await first.proceed());
    assert.ok(!JSON.stringify(d.parts).includes(GH));
    const placeholder = d.redactions[0].placeholder;
    assert.equal(d.redactions[0].part, 1);
    assert.equal(d.restore(`const t = process.env.GH ?? "${placeholder}";`), `const t = process.env.GH ?? "${GH}";`);
  });

  it('a secret only in context is redacted without asking', async () => {
    const d = expectSend(await prepareCloudSend(request([
      { role: 'selection', text: 'f();', path: 'src/a.ts' },
      { role: 'context', text: `const t = "${GH}";`, path: 'src/b.ts' },
    ])));
    assert.equal(d.redactions.length, 1);
    assert.ok(!JSON.stringify(d.parts).includes(GH));
  });

  it('one secret, one placeholder across parts; a repeat the detectors miss is caught too', async () => {
    const d = expectSend(await prepareCloudSend(request([
      { role: 'context', text: `// token is ${GH.slice(0, 10)}`, path: 'src/c.ts' },
      { role: 'context', text: `const t = "${GH}";`, path: 'src/b.ts' },
      { role: 'instruction', text: `Use ${GH} for the request.` },
    ], { secretsConfirmed: true })));
    const sent = JSON.stringify(d.parts);
    assert.ok(!sent.includes(GH));
    assert.equal(new Set(d.redactions.map((r) => r.placeholder)).size, 1);
  });

  it('a private key cut between selection and context (same file) is caught on both sides', async () => {
    const body = Array.from({ length: 4 }, (_, i) => `MIIEv${i}QIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7`).join('\n');
    const file = `const key = \`-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----\`;\n`;
    const cut = file.indexOf('\n', file.indexOf('MIIEv1')) + 1;
    const d = expectSend(await prepareCloudSend(request([
      { role: 'selection', text: file.slice(0, cut), path: 'src/k.ts' },
      { role: 'context', text: file.slice(cut), path: 'src/k.ts' },
    ], { secretsConfirmed: true })));
    for (const line of body.split('\n')) assert.ok(!JSON.stringify(d.parts).includes(line), line);
    assert.equal(d.restore(d.parts.map((p) => p.text).join('')), file);
  });

  it('with tandem.privacy.redactSecrets off, still asks for a selection secret, then sends as is', async () => {
    const parts: PayloadPart[] = [{ role: 'selection', text: `t = "${GH}"`, path: 'src/a.ts' }];
    const d = await prepareCloudSend(request(parts, { redactSecrets: false }));
    assert.equal(d.kind, 'needsConfirmation');
    const sent = expectSend(await prepareCloudSend(request(parts, { redactSecrets: false, secretsConfirmed: true })));
    assert.equal(sent.parts[0].text, parts[0].text);
  });

  it('instruction parts are never checked against exclusions', async () => {
    const d = expectSend(await prepareCloudSend(request([{ role: 'instruction', text: 'Explain .env files.', path: '.env' }])));
    assert.equal(d.parts.length, 1);
  });

  describe('properties over generated workspaces', () => {
    const workspaceArb = workspaceArbitrary({ maxFiles: 6, maxLines: 12 });

    it('no payload holds an excluded file\'s content or a planted secret, and restore gives back every original', async () => {
      await fc.assert(
        fc.asyncProperty(workspaceArb, async (ws) => {
          const files = buildWorkspace(ws, { plantInExcluded: false });
          // The refactor's shape: before / selection / after of the current file, cut at lines,
          // then other files as context.
          const { current, start, end } = selectionIn(ws, files);
          const parts: PayloadPart[] = [
            { role: 'instruction', text: 'Refactor this.' },
            { role: 'context', text: current.text.slice(0, start), path: current.path, key: 'before' },
            { role: 'selection', text: current.text.slice(start, end), path: current.path, key: 'selection' },
            { role: 'context', text: current.text.slice(end), path: current.path, key: 'after' },
            ...files.filter((f) => f !== current).map((f): PayloadPart => ({ role: 'context', text: f.text, path: f.path })),
          ];

          let d = await prepareCloudSend(request(parts));
          if (current.excluded || excluder.isExcludedPath(current.path).excluded) {
            assert.equal(d.kind, 'refuse');
            assert.equal(d.kind === 'refuse' && d.reason, 'excludedFile');
            return;
          }
          if (d.kind === 'needsConfirmation') d = await d.proceed();
          const send = expectSend(d);

          const sent = JSON.stringify(send.parts);
          for (const f of files) {
            if (f.excluded) assert.ok(!sent.includes(f.marker), `excluded ${f.path} leaked`);
            for (const s of f.secrets) assert.ok(!sent.includes(s), `secret leaked from ${f.path}: ${s}`);
          }
          // A reply that echoes everything it was sent restores to the originals that were kept.
          const kept = parts.filter((p) => !(p.path && p.role === 'context' && excluder.isExcludedPath(p.path).excluded));
          assert.equal(send.restore(send.parts.map((p) => p.text).join('\u0000')), kept.map((p) => p.text).join('\u0000'));
          assert.deepEqual(payloadDigest(send.parts), { bytes: send.bytes, sha256: send.sha256 });
        }),
        { numRuns: 60, seed: 20260301 },
      );
    });

    it('restore is the identity on text without placeholders, whatever was redacted', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 1e9 }), fc.nat(), fc.string({ maxLength: 60 }), async (seed, formatIndex, reply) => {
          fc.pre(!reply.includes('TANDEM_REDACTED_'));
          const makers = secretMakers();
          const sample = makers[formatIndex % makers.length][1](seededRng(seed));
          const d = await prepareCloudSend(request([{ role: 'context', text: sample.text, path: 'src/x.ts' }]));
          assert.equal(expectSend(d).restore(reply), reply);
        }),
        { numRuns: 40, seed: 7 },
      );
    });
  });
});
