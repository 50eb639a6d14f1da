// The egress log as a person reads it: a Markdown page with totals and one section per cloud
// send, newest first. Values come from the log as stored; anything a user could have typed into a
// path is kept to one line so it cannot start a heading or list item of its own.
import { formatUsd } from '../cost/costMath';
import type { EgressEntry } from './egressLog';

export interface EgressViewInput {
  entries: readonly EgressEntry[];
  /** Lines of the log that did not parse. */
  skipped: number;
  /** Where the raw log lives (JSON Lines), shown so it can be audited or archived. */
  filePath: string;
}

export function renderEgressMarkdown(v: EgressViewInput): string {
  const out: string[] = ['# What left this machine', ''];
  out.push('Every request Tandem sent to a cloud model, as recorded when it was sent: time, file, size and SHA-256 of the payload, ' +
    'how many secrets were replaced by placeholders (and by which rules), model, endpoint and cost. The payload itself and secret values are never stored.');
  out.push('');
  out.push(`Raw log (JSON Lines): \`${v.filePath}\``);
  out.push('');
  if (v.entries.length === 0) {
    out.push('**Nothing has left this machine.** No cloud request has been sent yet.');
  } else {
    const bytes = v.entries.reduce((n, e) => n + e.bytes, 0);
    const redactions = v.entries.reduce((n, e) => n + e.redactionCount, 0);
    const known = v.entries.filter((e) => e.costMicros !== undefined);
    const cost = known.reduce((n, e) => n + (e.costMicros ?? 0), 0);
    const unknownCost = v.entries.length - known.length;
    out.push(`**${v.entries.length} cloud ${v.entries.length === 1 ? 'send' : 'sends'}**, ${formatBytes(bytes)} in total, ` +
      `${redactions} ${redactions === 1 ? 'secret' : 'secrets'} redacted, cost ${formatUsd(cost)}${unknownCost > 0 ? ` (+${unknownCost} with unknown cost)` : ''}.`);
    out.push('');
    const newestFirst = [...v.entries].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
    // One short section per send rather than a wide table: it reads the same as source text (what
    // the editor shows) and rendered (Markdown preview), and a 64-digit hash does not push the
    // other columns off screen.
    for (const e of newestFirst) {
      const red = e.redactionCount === 0 ? 'none' : `${e.redactionCount} (${e.redactionRules.map((r) => r.replace(/^.*[/>]\s*/, '')).join(', ')})`;
      out.push(`## ${text(e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))} · ${text(e.feature)} · ${text(e.filePath ?? '(no file)')}`);
      out.push('');
      out.push(`- Sent: ${e.bytes} bytes to ${text(e.model)} at ${text(e.endpointHost)}, cost ${e.costMicros !== undefined ? formatUsd(e.costMicros) : 'unknown'}`);
      out.push(`- Secrets redacted: ${text(red)}`);
      out.push(`- Workspace: ${text(e.workspace)}`);
      out.push(`- SHA-256: \`${text(e.sha256)}\``);
      out.push('');
    }
  }
  if (v.skipped > 0) {
    out.push('');
    out.push(`${v.skipped} ${v.skipped === 1 ? 'line' : 'lines'} of the raw log could not be read (a write cut short, or a hand edit).`);
  }
  out.push('');
  return out.join('\n');
}

/** One line of plain text: what a path or name holds cannot start a new heading or list item. */
function text(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/`/g, "'");
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
