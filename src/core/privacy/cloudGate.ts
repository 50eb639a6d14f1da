// The one function every cloud send goes through. It refuses what may not leave (untrusted
// workspace, local-only mode, a key bound for a foreign endpoint, an excluded file), drops context
// from excluded files, asks before sending a selection that holds a secret, and replaces every
// secret by a placeholder. What it returns as `parts` is all that may be put into the request.
import { createHash } from 'node:crypto';
import type { PrivacyMode } from '../settings';
import { apiKeyAllowedFor } from '../shared/apiKeyAllowedFor';
import type { PathExclusion } from './pathExclusion';
import { PlaceholderVault } from './placeholderVault';
import { applyRedactions, findSecrets, type Redaction, type SecretSpan } from './secretRedactor';

/**
 * - selection: the code the user asked about (excluded file: refuse; secret: ask first)
 * - prompt: the current document's text around the cursor (excluded file: refuse)
 * - context: text from other places (excluded file: dropped, silently)
 * - instruction: what the user typed or the fixed system text (no path)
 */
export type PayloadRole = 'selection' | 'prompt' | 'context' | 'instruction';

export interface PayloadPart {
  role: PayloadRole;
  text: string;
  /** Workspace-relative path of the text's file, when it comes from one. */
  path?: string;
  /** The caller's own name for the part (e.g. 'before'), kept as is to map results back. */
  key?: string;
}

export interface CloudEndpoint {
  /** The base URL the request would go to (after workspace overrides). */
  effectiveBaseUrl: string;
  /** `tandem.cloud.baseUrl` as set in USER settings; undefined when unset there. */
  userLevelBaseUrl: string | undefined;
  defaultBaseUrl: string;
}

export interface CloudSendRequest {
  payloadParts: readonly PayloadPart[];
  trusted: boolean;
  mode: PrivacyMode;
  excludedCheck: (path: string) => PathExclusion;
  endpoint: CloudEndpoint;
  /** The user agreed to send a selection that holds secrets (they are still redacted). */
  secretsConfirmed?: boolean;
  /** `tandem.privacy.redactSecrets`; true when omitted. */
  redactSecrets?: boolean;
}

export type CloudRefuseReason = 'untrustedWorkspace' | 'localOnlyMode' | 'endpointNotAllowed' | 'excludedFile' | 'scannerFailed';

export interface PartRedaction extends Redaction {
  /** Index into the SENT parts. */
  part: number;
}

export interface CloudSend {
  kind: 'send';
  /** What may be sent, in the original order, with secrets replaced by placeholders. */
  parts: PayloadPart[];
  /** Context parts left out because their file is excluded (path and rule only). */
  dropped: Array<{ path: string; rule: string }>;
  redactions: PartRedaction[];
  /** Puts the originals back wherever the reply echoes a placeholder. */
  restore(text: string): string;
  /** UTF-8 size and SHA-256 (hex) of `payloadDigest(parts)`'s canonical form. */
  bytes: number;
  sha256: string;
}

export type CloudSendDecision =
  | { kind: 'refuse'; reason: CloudRefuseReason; explain: string }
  | {
      kind: 'needsConfirmation';
      reason: 'secretInSelection';
      explain: string;
      /** Where and what kind, never the values. */
      findings: Array<{ ruleId: string; line: number }>;
      /** The same request with the user's consent. */
      proceed(): Promise<CloudSendDecision>;
    }
  | CloudSend;

export async function prepareCloudSend(req: CloudSendRequest): Promise<CloudSendDecision> {
  if (!req.trusted) {
    return refuse('untrustedWorkspace', 'This workspace is not trusted, so Tandem sends nothing from it to the cloud.');
  }
  if (req.mode === 'localOnly') {
    return refuse('localOnlyMode', 'Privacy mode is local-only: nothing leaves this machine.');
  }
  const { effectiveBaseUrl, userLevelBaseUrl, defaultBaseUrl } = req.endpoint;
  if (!apiKeyAllowedFor(effectiveBaseUrl, userLevelBaseUrl, defaultBaseUrl)) {
    return refuse(
      'endpointNotAllowed',
      `The cloud base URL ${effectiveBaseUrl} is not the one set in your user settings, so your API key is not sent to it.`,
    );
  }

  const kept: PayloadPart[] = [];
  const dropped: Array<{ path: string; rule: string }> = [];
  for (const part of req.payloadParts) {
    const exclusion = part.role !== 'instruction' && part.path !== undefined ? req.excludedCheck(part.path) : { excluded: false as const };
    if (!exclusion.excluded) {
      kept.push(part);
    } else if (part.role === 'context') {
      dropped.push({ path: part.path ?? '', rule: exclusion.rule });
    } else {
      return refuse('excludedFile', `${part.path} is excluded from AI features (${exclusion.rule}), so it is not sent.`);
    }
  }

  let findings: SecretSpan[][];
  try {
    findings = await findSecretsByPart(kept);
  } catch (err) {
    // Fail closed: without the scanner nothing can be said about what the payload holds.
    return refuse('scannerFailed', `The secret scanner could not run (${err instanceof Error ? err.message : String(err)}), so nothing was sent.`);
  }

  const inSelection = kept.flatMap((p, i) => (p.role === 'selection' ? findings[i].map((f) => ({ ruleId: f.ruleId, line: lineOf(p.text, f.start) })) : []));
  if (inSelection.length > 0 && !req.secretsConfirmed) {
    const kinds = [...new Set(inSelection.map((f) => f.ruleId.replace(/^.*\//, '')))].join(', ');
    const lines = [...new Set(inSelection.map((f) => f.line))].sort((a, b) => a - b).join(', ');
    return {
      kind: 'needsConfirmation',
      reason: 'secretInSelection',
      explain: `The selection holds what looks like a secret (${kinds}; line ${lines}). It will be replaced by a placeholder before sending and restored in the result. Send anyway?`,
      findings: inSelection,
      proceed: () => prepareCloudSend({ ...req, secretsConfirmed: true }),
    };
  }

  const parts: PayloadPart[] = [];
  const redactions: PartRedaction[] = [];
  const vault = new PlaceholderVault(kept.map((p) => p.text));
  if (req.redactSecrets === false) {
    parts.push(...kept.map((p) => ({ ...p })));
  } else {
    // Twice: the first pass teaches the vault every secret in every part, so the second also
    // catches a secret found in one part where it repeats in another.
    kept.forEach((p, i) => applyRedactions(p.text, findings[i], vault));
    kept.forEach((p, i) => {
      const r = applyRedactions(p.text, findings[i], vault);
      parts.push({ ...p, text: r.text });
      redactions.push(...r.redactions.map((x) => ({ ...x, part: i })));
    });
  }

  const digest = payloadDigest(parts);
  return { kind: 'send', parts, dropped, redactions, restore: (text) => vault.restore(text), ...digest };
}

/**
 * Size and SHA-256 of the parts in a canonical form (JSON of role, path and text, in order), so
 * the egress record and a test double can compute the same values from what was sent.
 */
export function payloadDigest(parts: readonly PayloadPart[]): { bytes: number; sha256: string } {
  const canonical = JSON.stringify(parts.map((p) => ({ role: p.role, path: p.path ?? null, text: p.text })));
  return { bytes: Buffer.byteLength(canonical, 'utf8'), sha256: createHash('sha256').update(canonical, 'utf8').digest('hex') };
}

/**
 * Consecutive parts from the same file (before, selection, after; an inline prefix and suffix) are
 * one stretch of that file, cut where the caller chose: scanned as one text, a key split by a cut
 * is still seen whole. Each finding is then clipped back to the parts it covers.
 */
async function findSecretsByPart(parts: readonly PayloadPart[]): Promise<SecretSpan[][]> {
  const groups: number[][] = [];
  parts.forEach((p, i) => {
    const last = groups[groups.length - 1];
    const prev = last ? parts[last[last.length - 1]] : undefined;
    const sameFile = prev !== undefined && p.path !== undefined && prev.path === p.path && p.role !== 'instruction' && prev.role !== 'instruction';
    if (last && sameFile) last.push(i);
    else groups.push([i]);
  });
  const byPart: SecretSpan[][] = parts.map(() => []);
  for (const group of groups) {
    const found = await findSecrets(group.map((i) => parts[i].text).join(''));
    let offset = 0;
    for (const i of group) {
      const length = parts[i].text.length;
      for (const f of found) {
        const start = Math.max(f.start, offset);
        const end = Math.min(f.end, offset + length);
        if (start < end) byPart[i].push({ start: start - offset, end: end - offset, ruleId: f.ruleId });
      }
      offset += length;
    }
  }
  return byPart;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function refuse(reason: CloudRefuseReason, explain: string): CloudSendDecision {
  return { kind: 'refuse', reason, explain };
}
