// "Tandem: Check Setup" and `tandem doctor`: every check a first run needs, as data. Each check
// says what it found and, when something is wrong, the one thing to do about it (a command of the
// extension, or a shell command to copy). The editor renders the list as a report with buttons; the
// CLI prints it as text or JSON. Dependencies are injected, so the same checks run against the
// loopback doubles in tests.
import type { CompletionBackend, FimResult, ModelHealth } from '../shared/modelBackend';
import { COLD_START_MS } from '../status/localState';
import type { BudgetSettings } from '../shared/budgetPolicy';
import { apiKeyAllowedFor } from '../shared/apiKeyAllowedFor';
import { DEFAULT_CLOUD_BASE_URL, type TandemSettings } from '../settings';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface DoctorFix {
  label: string;
  /** A VS Code command id the editor runs when the fix is clicked. */
  command?: string;
  args?: unknown[];
  /** A shell command the user runs (the editor offers to run it in a terminal or copy it). */
  shellCommand?: string;
}

export interface DoctorCheck {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  fix?: DoctorFix;
}

export interface DoctorReport {
  checks: DoctorCheck[];
  /** Worst status over all checks: 'fail' when anything failed. */
  overall: 'ok' | 'warn' | 'fail';
  durationMs: number;
}

export interface DoctorDeps {
  settings: TandemSettings;
  /** The local backend the settings ask for (createLocalBackend). */
  localBackend: CompletionBackend;
  /** The API key, or undefined when none is stored. Never printed. */
  apiKey: () => Promise<string | undefined>;
  /** `tandem.cloud.baseUrl` as the user set it in their own settings: the key is only sent there. */
  userLevelBaseUrl: string | undefined;
  /** Budgets in force (user and workspace levels already combined). */
  budget: BudgetSettings;
  /** Count of path exclusion rules in force (settings + .tandemignore), when known. */
  exclusionRules?: number;
  fetch?: typeof fetch;
  /** Per network step. Default 5000 ms; the timed completion gets three times this. */
  timeoutMs?: number;
  now?: () => number;
  /** Where a check that is running is announced (the CLI prints progress). */
  onProgress?: (check: DoctorCheck) => void;
}

/** First token slower than this feels sluggish as ghost text. */
export const SLOW_FIRST_TOKEN_MS = 1500;

const OPEN_SETTING = (key: string): DoctorFix => ({ label: `Open setting ${key}`, command: 'workbench.action.openSettings', args: [key] });

export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const now = deps.now ?? (() => performance.now());
  const t0 = now();
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => {
    checks.push(c);
    deps.onProgress?.(c);
  };
  const s = deps.settings;
  const timeoutMs = deps.timeoutMs ?? 5000;
  const f = deps.fetch ?? fetch;
  const isOllama = s.local.provider === 'ollama';
  const serverName = isOllama ? 'Ollama' : 'The OpenAI-compatible server';

  // --- Local server, model, FIM ---------------------------------------------------------------
  let health: ModelHealth;
  try {
    health = await deps.localBackend.checkHealth(AbortSignal.timeout(timeoutMs));
  } catch (e) {
    health = { kind: 'error', detail: errorText(e) };
  }
  let version: string | undefined = health.kind === 'ready' ? health.version : undefined;
  if (isOllama && version === undefined && health.kind !== 'offline') version = await ollamaVersion(f, s.local.endpoint, timeoutMs);

  if (health.kind === 'offline') {
    add({
      id: 'local.server', title: 'Local model server', status: 'fail',
      detail: `${serverName} is not reachable at ${s.local.endpoint}: ${health.detail}`,
      fix: isOllama
        ? { label: 'Start Ollama', shellCommand: 'ollama serve' }
        : OPEN_SETTING('tandem.local.endpoint'),
    });
    add({ id: 'local.model', title: 'Model', status: 'skip', detail: 'Skipped: the server is not reachable.' });
    add({ id: 'local.fim', title: 'Fill-in-the-middle', status: 'skip', detail: 'Skipped: the server is not reachable.' });
  } else {
    add({
      id: 'local.server', title: 'Local model server', status: health.kind === 'error' ? 'fail' : 'ok',
      detail: health.kind === 'error'
        ? `${serverName} at ${s.local.endpoint} answered, but failed: ${health.detail}`
        : `${serverName} answers at ${s.local.endpoint}${version ? ` (version ${version})` : ''}.`,
      ...(health.kind === 'error' ? { fix: OPEN_SETTING('tandem.local.endpoint') } : {}),
    });
    if (health.kind === 'modelMissing') {
      add({
        id: 'local.model', title: 'Model', status: 'fail',
        detail: health.detail || `${s.local.model} is not on the server.`,
        fix: isOllama
          ? { label: `Pull ${s.local.model}`, shellCommand: `ollama pull ${shellQuoted(s.local.model)}` }
          : OPEN_SETTING('tandem.local.model'),
      });
      add({ id: 'local.fim', title: 'Fill-in-the-middle', status: 'skip', detail: 'Skipped: the model is not available.' });
    } else if (health.kind === 'error') {
      add({ id: 'local.model', title: 'Model', status: 'skip', detail: 'Skipped: the server failed.' });
      add({ id: 'local.fim', title: 'Fill-in-the-middle', status: 'skip', detail: 'Skipped: the server failed.' });
    } else {
      add({ id: 'local.model', title: 'Model', status: 'ok', detail: `${s.local.model} is available.` });
      add(health.kind === 'noFim'
        ? {
          id: 'local.fim', title: 'Fill-in-the-middle', status: 'fail',
          detail: `${health.detail} Inline completions need a FIM model such as qwen2.5-coder:1.5b-base.`,
          fix: OPEN_SETTING('tandem.local.model'),
        }
        : {
          id: 'local.fim', title: 'Fill-in-the-middle', status: 'ok',
          detail: health.fim === 'native' ? "Supported by the model's own template (insert capability)." : 'Supported through the model family\'s FIM tokens (raw prompt).',
        });
    }
  }

  // --- A timed completion: cold start, then a warm one ----------------------------------------
  if (health.kind === 'ready') {
    add(await latencyCheck(deps.localBackend, timeoutMs * 3, s));
  } else {
    add({ id: 'local.latency', title: 'Completion latency', status: 'skip', detail: 'Skipped: the local model is not ready.' });
  }

  // --- Cloud: key and a free call -------------------------------------------------------------
  const localOnly = s.privacy.mode === 'localOnly';
  const key = await deps.apiKey().catch(() => undefined);
  if (localOnly) {
    add({ id: 'cloud.apiKey', title: 'OpenAI API key', status: 'skip', detail: 'Privacy mode is local only: the cloud is never used, no key is needed.' });
    add({ id: 'cloud.reachable', title: 'Cloud API', status: 'skip', detail: 'Privacy mode is local only: nothing is sent to the cloud, not even a check.' });
  } else {
    add(key
      ? { id: 'cloud.apiKey', title: 'OpenAI API key', status: 'ok', detail: `A key is stored (${maskKey(key)}).` }
      : {
        id: 'cloud.apiKey', title: 'OpenAI API key', status: 'warn',
        detail: 'No API key is stored: cloud refactors are unavailable (inline completions stay local and work without one).',
        fix: { label: 'Set API Key', command: 'tandem.setApiKey' },
      });
    add(await cloudCheck(f, s.cloud.baseUrl, deps.userLevelBaseUrl, key, timeoutMs));
  }

  // --- Budgets and privacy in force -------------------------------------------------------------
  const b = deps.budget;
  const caps = [b.dailyUsd ? `daily $${b.dailyUsd.toFixed(2)}` : '', b.monthlyUsd ? `monthly $${b.monthlyUsd.toFixed(2)}` : ''].filter(Boolean);
  add(caps.length
    ? {
      id: 'cost.budget', title: 'Budgets', status: 'ok',
      detail: `Caps: ${caps.join(', ')}; warn at ${Math.round(b.warnAtFraction * 100)}%; ${b.hardStop ? 'hard stop: a request that could cross a cap is refused' : 'no hard stop: crossing a cap only warns'}.`,
    }
    : {
      id: 'cost.budget', title: 'Budgets', status: localOnly ? 'ok' : 'warn',
      detail: localOnly ? 'No budget set (not needed: local only).' : 'No daily or monthly budget is set: cloud spend is metered but not capped.',
      ...(localOnly ? {} : { fix: OPEN_SETTING('tandem.cloud.monthlyBudgetUsd') }),
    });
  const rules = deps.exclusionRules ?? s.privacy.exclude.length;
  add({
    id: 'privacy.mode', title: 'Privacy', status: 'ok',
    detail: `${localOnly ? 'Local only: nothing leaves this machine.' : 'Hybrid: inline completions stay local; refactors go to the cloud when you ask.'} `
      + `Secret redaction ${s.privacy.redactSecrets ? 'on' : 'OFF'}; ${rules} extra exclusion rule${rules === 1 ? '' : 's'} besides the defaults.`,
    ...(s.privacy.redactSecrets ? {} : { fix: OPEN_SETTING('tandem.privacy.redactSecrets') }),
  });

  const overall = checks.some((c) => c.status === 'fail') ? 'fail' : checks.some((c) => c.status === 'warn') ? 'warn' : 'ok';
  return { checks, overall, durationMs: now() - t0 };
}

async function latencyCheck(backend: CompletionBackend, timeoutMs: number, s: TandemSettings): Promise<DoctorCheck> {
  const req = {
    prefix: 'function add(a, b) {\n  return ', suffix: '\n}\n', languageId: 'javascript',
    maxTokens: 24, stop: [], temperature: s.local.temperature,
  };
  let first: FimResult;
  let warm: FimResult;
  try {
    first = await backend.complete(req, AbortSignal.timeout(timeoutMs));
    warm = await backend.complete({ ...req, prefix: 'function sub(a, b) {\n  return ' }, AbortSignal.timeout(timeoutMs));
  } catch (e) {
    return {
      id: 'local.latency', title: 'Completion latency', status: 'fail',
      detail: `A test completion failed: ${errorText(e)}`,
      fix: { label: 'Show Log', command: 'tandem.showLog' },
    };
  }
  const loadMs = first.server.loadMs ?? 0;
  const cold = loadMs >= COLD_START_MS;
  const tps = tokensPerSecond(warm);
  const parts = [
    `Warm completion: first token ${Math.round(warm.firstTokenMs)} ms, total ${Math.round(warm.totalMs)} ms${tps !== undefined ? `, ${tps.toFixed(1)} tokens/s` : ''}.`,
    cold ? `The model was cold: loading it took ${(loadMs / 1000).toFixed(1)} s (keep_alive ${s.local.keepAlive} keeps it loaded).`
      : 'The model was already loaded (warm).',
  ];
  const slow = warm.firstTokenMs > SLOW_FIRST_TOKEN_MS;
  return {
    id: 'local.latency', title: 'Completion latency', status: slow ? 'warn' : 'ok',
    detail: slow ? `${parts.join(' ')} Slow for ghost text: try a smaller model or a GPU.` : parts.join(' '),
    ...(slow ? { fix: OPEN_SETTING('tandem.local.model') } : {}),
  };
}

function tokensPerSecond(r: FimResult): number | undefined {
  const { outputTokens, evalMs } = r.server;
  if (outputTokens && evalMs && evalMs > 0) return outputTokens / (evalMs / 1000);
  return undefined;
}

async function cloudCheck(f: typeof fetch, baseUrl: string, userLevelBaseUrl: string | undefined, key: string | undefined,
  timeoutMs: number): Promise<DoctorCheck> {
  const base = baseUrl.replace(/\/+$/, '');
  if (!apiKeyAllowedFor(baseUrl, userLevelBaseUrl, DEFAULT_CLOUD_BASE_URL)) {
    return {
      id: 'cloud.reachable', title: 'Cloud API', status: 'fail',
      detail: `tandem.cloud.baseUrl is ${base} here, but your own settings say ${userLevelBaseUrl ?? DEFAULT_CLOUD_BASE_URL}: `
        + 'the workspace chose it, so your API key is not sent there and no check was made.',
      fix: OPEN_SETTING('tandem.cloud.baseUrl'),
    };
  }
  if (!key) {
    return { id: 'cloud.reachable', title: 'Cloud API', status: 'skip', detail: `Not checked: no API key to ask ${base} with.` };
  }
  try {
    // Listing models is free and needs a valid key: it checks the network and the key at once.
    const r = await f(`${base}/models`, { headers: { Authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(timeoutMs) });
    if (r.ok) {
      const body = await r.json().catch(() => undefined) as { data?: Array<{ id?: string }> } | undefined;
      const n = Array.isArray(body?.data) ? body.data.length : undefined;
      return { id: 'cloud.reachable', title: 'Cloud API', status: 'ok', detail: `${base} answers and accepts the key${n !== undefined ? ` (${n} models listed)` : ''}.` };
    }
    const text = await r.text().catch(() => '');
    const message = apiErrorMessage(text);
    if (r.status === 401 || r.status === 403) {
      return {
        id: 'cloud.reachable', title: 'Cloud API', status: 'fail',
        detail: `${base} refused the key (HTTP ${r.status})${message ? `: ${message}` : ''}.`,
        fix: { label: 'Set API Key', command: 'tandem.setApiKey' },
      };
    }
    return {
      id: 'cloud.reachable', title: 'Cloud API', status: 'warn',
      detail: `${base} answered HTTP ${r.status}${message ? `: ${message}` : ''}.`,
    };
  } catch (e) {
    return {
      id: 'cloud.reachable', title: 'Cloud API', status: 'fail',
      detail: `${base} is not reachable: ${errorText(e)}.`,
      fix: OPEN_SETTING('tandem.cloud.baseUrl'),
    };
  }
}

async function ollamaVersion(f: typeof fetch, endpoint: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const r = await f(`${endpoint.replace(/\/+$/, '')}/api/version`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!r.ok) return undefined;
    const v = (await r.json() as { version?: unknown }).version;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function apiErrorMessage(text: string): string {
  try {
    const m = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    return typeof m === 'string' ? m.slice(0, 200) : '';
  } catch {
    return text.slice(0, 200);
  }
}

function errorText(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'timed out';
  const code = err?.cause?.code;
  return code ? `${err.message} (${code})` : String(err?.message ?? e);
}

/** "sk-…abcd": enough to tell keys apart, never enough to use one. */
export function maskKey(key: string): string {
  return key.length <= 8 ? '…' : `${key.slice(0, 3)}…${key.slice(-4)}`;
}

const MARK: Record<CheckStatus, string> = { ok: '✔', warn: '!', fail: '✖', skip: '–' };

/** The report as plain text (the CLI's default output). */
export function formatDoctorText(r: DoctorReport): string {
  const lines = ['Tandem setup check', ''];
  for (const c of r.checks) {
    lines.push(`${MARK[c.status]} ${c.status.toUpperCase().padEnd(4)} ${c.title}: ${c.detail}`);
    if (c.fix) {
      lines.push(`         fix: ${c.fix.shellCommand ? `run \`${c.fix.shellCommand}\`` : `${c.fix.label}${c.fix.command ? ` (command ${c.fix.command}${c.fix.args ? ` ${c.fix.args.join(' ')}` : ''})` : ''}`}`);
    }
  }
  const counts = (['ok', 'warn', 'fail', 'skip'] as const).map((k) => `${r.checks.filter((c) => c.status === k).length} ${k}`).join(', ');
  lines.push('', `Overall: ${r.overall.toUpperCase()} (${counts})`);
  return `${lines.join('\n')}\n`;
}

/**
 * One shell argument, single-quoted (POSIX shells and PowerShell both take '...' literally). Model
 * names are already limited to MODEL_NAME_PATTERN, which has no quote; a quote is still escaped.
 */
export function shellQuoted(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
