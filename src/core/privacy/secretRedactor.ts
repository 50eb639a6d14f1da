// Finds secrets in text bound for the cloud and swaps them for stable placeholders. Two detectors
// run side by side: secretlint's recommended preset (maintained vendor rules) and Tandem's own
// patterns (formats the preset misses, and generic secret-looking assignments). Where they overlap,
// the union is redacted: redacting too much costs a worse answer, too little costs a leaked key.
import { PlaceholderVault } from './placeholderVault';
import { findPatternSecrets, isPlaceholderValue, type SecretSpan } from './secretPatterns';

export type { SecretSpan } from './secretPatterns';

export interface Redaction {
  placeholder: string;
  ruleId: string;
  /** Offsets of the secret in the ORIGINAL text. */
  start: number;
  end: number;
}

export interface RedactionResult {
  /** The text with every secret replaced by its placeholder. */
  text: string;
  redactions: Redaction[];
  /** Puts the originals back wherever `reply` echoes a placeholder. */
  restore(reply: string): string;
}

/** A secret as the confirmation prompt shows it: where and what kind, never the value. */
export interface SecretFinding extends SecretSpan {
  /** 1-based line of the secret's start. */
  line: number;
}

// A found value is also redacted wherever else it occurs, but only if it cannot be an ordinary
// word or name: replacing every `azureTokenProvider` because one detector misfired on it would
// mangle the code, while a real secret repeated verbatim is almost never that short or that plain.
function isRepeatable(value: string): boolean {
  return value.length >= 8 && !/^[A-Za-z_$][\w$]*$/.test(value);
}

/** Every secret found in `text`, sorted by position (may overlap). Rejects if the scanner cannot load. */
export async function findSecrets(text: string): Promise<SecretFinding[]> {
  if (text === '') return [];
  const spans = [...(await secretlintSpans(text)), ...findPatternSecrets(text)];
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  return spans.map((s) => ({ ...s, line: lineOf(text, s.start) }));
}

/** For the "this selection holds a secret" confirmation. */
export async function containsSecret(text: string): Promise<boolean> {
  return (await findSecrets(text)).length > 0;
}

export interface RedactOptions {
  /**
   * Shared by every part of one payload, so a secret gets the same placeholder in all of them
   * and one `restore` serves the whole reply. A fresh vault when omitted.
   */
  vault?: PlaceholderVault;
}

export async function redactSecrets(text: string, options: RedactOptions = {}): Promise<RedactionResult> {
  const vault = options.vault ?? new PlaceholderVault([text]);
  return applyRedactions(text, await findSecrets(text), vault);
}

/**
 * Replaces `spans` (merged where they overlap) and every further occurrence of a secret the vault
 * already holds, so a value found in one place is not sent from another.
 */
export function applyRedactions(text: string, spans: readonly SecretSpan[], vault: PlaceholderVault): RedactionResult {
  const all: SecretSpan[] = [...spans];
  const known = new Set([...vault.values(), ...spans.map((s) => text.slice(s.start, s.end))]);
  for (const value of known) {
    if (!isRepeatable(value)) continue;
    for (let i = text.indexOf(value); i !== -1; i = text.indexOf(value, i + 1)) {
      all.push({ start: i, end: i + value.length, ruleId: 'tandem/repeated-secret' });
    }
  }

  const merged = mergeSpans(all, text);
  const redactions: Redaction[] = [];
  let out = '';
  let cursor = 0;
  for (const span of merged) {
    const placeholder = vault.placeholderFor(text.slice(span.start, span.end));
    out += text.slice(cursor, span.start) + placeholder;
    cursor = span.end;
    redactions.push({ placeholder, ruleId: span.ruleId, start: span.start, end: span.end });
  }
  out += text.slice(cursor);
  return { text: out, redactions, restore: (reply) => vault.restore(reply) };
}

function mergeSpans(spans: readonly SecretSpan[], text: string): SecretSpan[] {
  const sorted = [...spans].filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Array<SecretSpan & { longest: number }> = [];
  for (const s of sorted) {
    const last = merged[merged.length - 1];
    if (last && s.start < last.end) {
      // The rule that found the longest piece names the merged secret.
      if (s.end - s.start > last.longest) Object.assign(last, { ruleId: s.ruleId, longest: s.end - s.start });
      last.end = Math.max(last.end, s.end);
    } else {
      merged.push({ ...s, longest: s.end - s.start });
    }
  }
  for (const m of merged) {
    // A digit right after the placeholder would turn TANDEM_REDACTED_1 into …_12 for `restore`.
    while (m.end < text.length && /\d/.test(text[m.end])) m.end++;
  }
  // Extending can make neighbours touch or overlap again.
  const result: SecretSpan[] = [];
  for (const m of merged) {
    const last = result[result.length - 1];
    if (last && m.start < last.end) last.end = Math.max(last.end, m.end);
    else result.push({ start: m.start, end: m.end, ruleId: m.ruleId });
  }
  return result;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

// --- secretlint, loaded on first use: the preset pulls in node-forge (~1 MB) for key checks.

interface LintMessage {
  type: string;
  ruleId: string;
  range: readonly [number, number];
  data?: object;
}
interface Secretlint {
  lint(text: string): Promise<LintMessage[]>;
}

let secretlint: Promise<Secretlint> | undefined;

function loadSecretlint(): Promise<Secretlint> {
  secretlint ??= Promise.all([import('@secretlint/core'), import('@secretlint/secretlint-rule-preset-recommend'), import('@secretlint/profiler')]).then(
    ([core, preset, profiler]) => {
      // secretlint marks every rule's start and end on the process-wide performance timeline and
      // keeps each mark in its profiler (used only by its CLI's --profile), scanning all earlier
      // marks at every end mark: unbounded memory in a long-lived extension host, and each scan
      // slower than the last (the leak-corpus test: 10 samples 0.8 s, 80 samples 27 s). No marks,
      // nothing kept.
      profiler.secretLintProfiler.mark = () => undefined;
      return {
        async lint(text: string) {
          const result = await core.lintSource({
            // A neutral name: the GCP rule reads .p12/.json files from disk by this path, and the
            // text is a payload, not a file.
            source: { content: text, filePath: 'payload.txt', ext: '.txt', contentType: 'text' },
            options: {
              noPhysicFilePath: true,
              config: {
                rules: [
                  {
                    id: '@secretlint/secretlint-rule-preset-recommend',
                    rule: preset.creator,
                    rules: [
                      // Access key ids are off by default in the preset (false positives in repos);
                      // for egress, an id next to its secret is half the credential.
                      { id: '@secretlint/secretlint-rule-aws', options: { enableIDScanRule: true } },
                      // `secretlint-disable` comments tell a repository's linter to look away; they
                      // are not consent to send the value to a third party.
                      { id: '@secretlint/secretlint-rule-filter-comments', disabled: true },
                    ],
                  },
                ],
              },
            },
          });
          return result.messages as LintMessage[];
        },
      };
    },
    (err: unknown) => {
      secretlint = undefined; // let a later call retry instead of caching the failure
      throw err;
    },
  );
  return secretlint;
}

async function secretlintSpans(text: string): Promise<SecretSpan[]> {
  const lint = await loadSecretlint();
  const spans: SecretSpan[] = [];
  for (const m of await lint.lint(text)) {
    if (m.type !== 'message') continue;
    // Rules report the secret in `data` (KEY, CREDENTIAL, …) but some report a `range` that is
    // off (the AWS secret-key rule pairs the match start with the key's length). Prefer where
    // the reported value actually is, near the range; fall back to the range.
    const located = locateValues(text, m);
    spans.push(...narrowBasicAuth(text, m, located.length > 0 ? located : [{ start: m.range[0], end: m.range[1], ruleId: m.ruleId }]));
  }
  return spans;
}

// The basic-auth rule reports the whole `https://user:pw@host`; only the password is secret, and a
// URL that keeps its host reads better to the model.
function narrowBasicAuth(text: string, m: LintMessage, spans: SecretSpan[]): SecretSpan[] {
  if (!m.ruleId.endsWith('secretlint-rule-basicauth')) return spans;
  return spans.map((s) => {
    const url = text.slice(s.start, s.end);
    const at = url.lastIndexOf('@');
    const colon = url.indexOf(':', url.indexOf('//') + 2);
    return colon !== -1 && colon < at ? { ...s, start: s.start + colon + 1, end: s.start + at } : s;
  }).filter((s) => !isPlaceholderValue(text.slice(s.start, s.end))); // user:pass@example.com in docs
}

function locateValues(text: string, m: LintMessage): SecretSpan[] {
  const [rs, re] = m.range;
  const spans: SecretSpan[] = [];
  for (const value of Object.values(m.data ?? {})) {
    if (typeof value !== 'string' || value.length < 4) continue;
    for (let i = text.indexOf(value); i !== -1; i = text.indexOf(value, i + 1)) {
      if (i < re && i + value.length > rs) spans.push({ start: i, end: i + value.length, ruleId: m.ruleId });
    }
  }
  return spans;
}
