// The settings the code reads and the settings the manifest declares are the same set: a key read
// but not declared cannot be set by users (and is not restricted in untrusted workspaces); a key
// declared but not read is a setting that does nothing.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, readSettings } from '../../../src/core/settings';

interface Property { type?: string | string[]; default?: unknown; description?: string; markdownDescription?: string; enum?: unknown[] }

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const declared = new Map<string, Property>();
for (const section of [manifest.contributes.configuration].flat()) {
  for (const [key, value] of Object.entries(section.properties ?? {})) declared.set(key, value as Property);
}

function keysRead(): string[] {
  const keys: string[] = [];
  readSettings((key) => { keys.push(`tandem.${key}`); return undefined; });
  return keys;
}

/** DEFAULT_SETTINGS value for a full key such as tandem.local.model. */
function defaultOf(key: string): unknown {
  return key.split('.').slice(1).reduce<unknown>((o, part) => (o as Record<string, unknown>)[part], DEFAULT_SETTINGS);
}

describe('settings in code and in package.json', () => {
  it('every key the code reads is declared', () => {
    const missing = keysRead().filter((k) => !declared.has(k));
    assert.deepEqual(missing, []);
  });

  it('every declared tandem.* key is read by the code', () => {
    const read = new Set(keysRead());
    const unused = [...declared.keys()].filter((k) => k.startsWith('tandem.') && !read.has(k));
    assert.deepEqual(unused, []);
  });

  it('declared defaults equal the code\'s defaults, and every setting has a type and a description', () => {
    for (const key of keysRead()) {
      const p = declared.get(key);
      if (!p) continue;
      assert.ok(p.type, `${key} has a type`);
      assert.ok(p.description || p.markdownDescription, `${key} has a description`);
      assert.deepEqual(p.default, defaultOf(key), `${key} default`);
      if (p.enum) assert.ok(p.enum.includes(p.default), `${key} default is one of its enum values`);
    }
  });

  it('the README documents every declared setting', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const undocumented = [...declared.keys()].filter((k) => !readme.includes(`\`${k}\``));
    assert.deepEqual(undocumented, []);
  });
});
