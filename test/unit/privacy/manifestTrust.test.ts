// The manifest's promises about untrusted workspaces: VS Code only drops a workspace value of a
// setting when the setting is DECLARED by this extension and listed in restrictedConfigurations,
// so a key listed but not declared would protect nothing, silently.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

interface Manifest {
  capabilities?: { untrustedWorkspaces?: { supported: boolean | 'limited'; description?: string; restrictedConfigurations?: string[] } };
  contributes: {
    configuration: Array<{ properties: Record<string, { scope?: string; enum?: string[]; default?: unknown }> }>;
    commands: Array<{ command: string; title: string; category?: string }>;
  };
}

const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Manifest;
const declared = Object.assign({}, ...manifest.contributes.configuration.map((c) => c.properties)) as Manifest['contributes']['configuration'][0]['properties'];

describe('manifest: untrusted workspaces and privacy settings', () => {
  const trust = manifest.capabilities?.untrustedWorkspaces;

  it('declares limited support with a description', () => {
    assert.equal(trust?.supported, 'limited');
    assert.ok((trust?.description ?? '').length > 40);
  });

  it('restricts every setting that redirects traffic or spends money', () => {
    for (const key of ['tandem.cloud.baseUrl', 'tandem.local.endpoint', 'tandem.cloud.prices', 'tandem.cloud.dailyBudgetUsd', 'tandem.cloud.monthlyBudgetUsd']) {
      assert.ok(trust?.restrictedConfigurations?.includes(key), `${key} is restricted`);
    }
  });

  it('every restricted key is a declared setting (else VS Code would not restrict it)', () => {
    for (const key of trust?.restrictedConfigurations ?? []) assert.ok(declared[key], `${key} is declared in contributes.configuration`);
  });

  it('privacy settings are declared per resource, with the modes the code reads', () => {
    assert.deepEqual(declared['tandem.privacy.mode']?.enum, ['hybrid', 'localOnly']);
    assert.equal(declared['tandem.privacy.mode']?.default, 'hybrid');
    for (const key of ['tandem.privacy.mode', 'tandem.privacy.exclude', 'tandem.privacy.redactSecrets']) {
      assert.equal(declared[key]?.scope, 'resource', key);
    }
  });

  it('declares the privacy commands in the Tandem category', () => {
    for (const id of ['tandem.showEgressLog', 'tandem.togglePrivacyMode']) {
      const c = manifest.contributes.commands.find((x) => x.command === id);
      assert.equal(c?.category, 'Tandem', id);
    }
    assert.equal(manifest.contributes.commands.find((x) => x.command === 'tandem.showEgressLog')?.title, 'Show What Left This Machine');
  });
});
