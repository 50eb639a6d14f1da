// The typed settings object. One module reads raw values (from VS Code's configuration, the CLI's
// settings.json and flags, or a test), validates and clamps them, and hands out a frozen object;
// nothing else reads raw configuration. The manifest's `contributes.configuration` declares the
// same keys, and a unit test checks that the two agree.
//
// `readSettingsSnapshot` takes the user's and the workspace's values separately, because a
// workspace's values arrive with a cloned repository: for privacy and money a workspace may only
// tighten what the user set (add exclusions, switch to local-only, turn redaction on, lower a
// budget), never loosen it, and the effective cloud policy (where the API key may go, the budget)
// is computed here once per configuration change rather than by every caller.
import { apiKeyAllowedFor } from './shared/apiKeyAllowedFor';
import { effectiveBudget, type BudgetSettings } from './shared/budgetPolicy';
import { parsePriceOverrides, type PriceRow } from './shared/priceTable';

export type LocalProvider = 'ollama' | 'openai-compatible';
export type PrivacyMode = 'hybrid' | 'localOnly';
export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
export type MeterPeriod = 'today' | 'month';


export interface TandemSettings {
  readonly local: {
    readonly provider: LocalProvider;
    readonly endpoint: string;
    readonly model: string;
    readonly keepAlive: string;
    readonly warmUp: boolean;
    readonly maxTokens: number;
    readonly temperature: number;
    readonly contextTokens: number;
  };
  readonly inline: {
    readonly enabled: boolean;
    readonly maxLines: number;
    readonly cloudFallback: boolean;
    readonly disabledLanguages: readonly string[];
    readonly enableInExcludedFiles: boolean;
  };
  readonly cloud: {
    readonly model: string;
    readonly baseUrl: string;
    readonly reasoningEffort: ReasoningEffort | 'default';
    readonly maxOutputTokens: number;
    readonly timeoutSeconds: number;
    /** User price rows (validated); they win over the built-in table. */
    readonly prices: readonly PriceRow[];
    readonly dailyBudgetUsd: number;
    readonly monthlyBudgetUsd: number;
    readonly warnAtPercent: number;
    readonly hardStop: boolean;
    readonly meterPeriod: MeterPeriod;
  };
  readonly privacy: {
    readonly mode: PrivacyMode;
    readonly exclude: readonly string[];
    readonly redactSecrets: boolean;
  };
}

export const DEFAULT_CLOUD_BASE_URL = 'https://api.openai.com/v1';

export const DEFAULT_SETTINGS: TandemSettings = deepFreeze({
  local: {
    provider: 'ollama',
    endpoint: 'http://127.0.0.1:11434',
    model: 'qwen2.5-coder:1.5b-base',
    keepAlive: '30m',
    warmUp: true,
    maxTokens: 128,
    temperature: 0.2,
    contextTokens: 1536,
  },
  inline: {
    enabled: true,
    maxLines: 8,
    cloudFallback: false,
    disabledLanguages: [],
    enableInExcludedFiles: false,
  },
  cloud: {
    model: 'gpt-5.4-mini',
    baseUrl: DEFAULT_CLOUD_BASE_URL,
    reasoningEffort: 'default',
    maxOutputTokens: 4096,
    timeoutSeconds: 120,
    prices: [],
    dailyBudgetUsd: 0,
    monthlyBudgetUsd: 0,
    warnAtPercent: 80,
    hardStop: true,
    meterPeriod: 'today',
  },
  privacy: {
    mode: 'hybrid',
    exclude: [],
    redactSecrets: true,
  },
});

/** Reads one raw value by its full key (e.g. 'local.model'); undefined when unset. */
export type RawSettingsReader = (key: string) => unknown;

/** Builds the frozen settings from raw values, falling back to defaults for anything invalid. */
export function readSettings(get: RawSettingsReader): TandemSettings {
  const d = DEFAULT_SETTINGS;
  return deepFreeze({
    local: {
      provider: oneOf(get('local.provider'), ['ollama', 'openai-compatible'] as const, d.local.provider),
      endpoint: url(get('local.endpoint'), d.local.endpoint),
      model: modelName(get('local.model'), d.local.model),
      keepAlive: nonEmptyString(get('local.keepAlive'), d.local.keepAlive),
      warmUp: bool(get('local.warmUp'), d.local.warmUp),
      maxTokens: intIn(get('local.maxTokens'), 8, 1024, d.local.maxTokens),
      temperature: numberIn(get('local.temperature'), 0, 2, d.local.temperature),
      contextTokens: intIn(get('local.contextTokens'), 256, 32768, d.local.contextTokens),
    },
    inline: {
      enabled: bool(get('inline.enabled'), d.inline.enabled),
      maxLines: intIn(get('inline.maxLines'), 1, 50, d.inline.maxLines),
      cloudFallback: bool(get('inline.cloudFallback'), d.inline.cloudFallback),
      disabledLanguages: stringList(get('inline.disabledLanguages')),
      enableInExcludedFiles: bool(get('inline.enableInExcludedFiles'), d.inline.enableInExcludedFiles),
    },
    cloud: {
      model: nonEmptyString(get('cloud.model'), d.cloud.model),
      baseUrl: url(get('cloud.baseUrl'), d.cloud.baseUrl),
      reasoningEffort: oneOf(get('cloud.reasoningEffort'),
        ['default', 'none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const, d.cloud.reasoningEffort),
      maxOutputTokens: intIn(get('cloud.maxOutputTokens'), 16, 128000, d.cloud.maxOutputTokens),
      timeoutSeconds: intIn(get('cloud.timeoutSeconds'), 5, 600, d.cloud.timeoutSeconds),
      prices: parsePriceOverrides(get('cloud.prices')).rows,
      dailyBudgetUsd: numberIn(get('cloud.dailyBudgetUsd'), 0, 1e6, d.cloud.dailyBudgetUsd),
      monthlyBudgetUsd: numberIn(get('cloud.monthlyBudgetUsd'), 0, 1e6, d.cloud.monthlyBudgetUsd),
      warnAtPercent: intIn(get('cloud.warnAtPercent'), 1, 100, d.cloud.warnAtPercent),
      hardStop: bool(get('cloud.hardStop'), d.cloud.hardStop),
      meterPeriod: oneOf(get('cloud.meterPeriod'), ['today', 'month'] as const, d.cloud.meterPeriod),
    },
    privacy: {
      mode: oneOf(get('privacy.mode'), ['hybrid', 'localOnly'] as const, d.privacy.mode),
      exclude: stringList(get('privacy.exclude')),
      redactSecrets: bool(get('privacy.redactSecrets'), d.privacy.redactSecrets),
    },
  });
}

/**
 * Model names as Ollama and OpenAI-compatible servers spell them: `name`, `namespace/name:tag`,
 * `hf.co/user/repo:Q4_K_M`. The name reaches a terminal (`ollama pull NAME` in Check Setup), so
 * anything outside this alphabet (spaces, quotes, `;`, `$`, backticks) is refused, not escaped.
 */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*){0,3}(?::[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

export function isValidModelName(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 200 && MODEL_NAME_PATTERN.test(v);
}

function modelName(v: unknown, fallback: string): string {
  const name = typeof v === 'string' ? v.trim() : v;
  return isValidModelName(name) ? name : fallback;
}

/** Where raw values come from, one reader per level. */
export interface SettingsSources {
  /** The user's own settings (VS Code's globalValue; the CLI's settings.json and flags). */
  user: RawSettingsReader;
  /** The workspace's settings (.vscode/settings.json or the .code-workspace file). */
  workspace: RawSettingsReader;
  /** False in an untrusted workspace: its values of restricted settings are ignored entirely. */
  trusted: boolean;
}

/**
 * The tandem.* keys of a VS Code settings.json (comments and trailing commas allowed), without the
 * prefix: how the CLI feeds a settings file to readSettingsSnapshot. Throws on malformed JSON.
 */
export function rawSettingsFromJson(text: string): Record<string, unknown> {
  const json = text
    .replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (m, str) => str ?? '')
    .replace(/,(\s*[}\]])/g, '$1');
  const all: unknown = JSON.parse(json);
  const out: Record<string, unknown> = {};
  if (all && typeof all === 'object' && !Array.isArray(all)) {
    for (const [k, v] of Object.entries(all)) if (k.startsWith('tandem.')) out[k.slice('tandem.'.length)] = v;
  }
  return out;
}

/** The effective cloud policy, computed once per configuration change. */
export interface CloudPolicy {
  /** The base URL in the user's own settings, undefined when they set none (the default applies). */
  readonly userBaseUrl: string | undefined;
  /** Whether the API key may go to `cloud.baseUrl` (only to the user's own choice, or the default). */
  readonly keyAllowed: boolean;
  /** Budgets with the workspace's values applied tighten-only. */
  readonly budget: Readonly<BudgetSettings>;
}

export interface SettingsSnapshot extends TandemSettings {
  readonly policy: CloudPolicy;
  /** Workspace values that were ignored because they would have loosened the user's settings. */
  readonly ignoredWorkspaceKeys: readonly string[];
}

/**
 * Settings a workspace may not set at all when untrusted (the manifest's restrictedConfigurations
 * say the same, and VS Code drops them itself; this holds for the CLI and for a host that does not).
 */
export const RESTRICTED_KEYS: readonly string[] = Object.freeze([
  'cloud.baseUrl', 'local.endpoint', 'cloud.prices', 'cloud.dailyBudgetUsd', 'cloud.monthlyBudgetUsd',
  'cloud.warnAtPercent', 'cloud.hardStop', 'privacy.redactSecrets', 'inline.cloudFallback',
]);

/**
 * Settings only the user may set: a workspace's prices would change what the budget believes a
 * request costs. (`local.model`, which reaches a terminal, is validated against MODEL_NAME_PATTERN
 * and quoted instead.)
 */
export const USER_ONLY_KEYS: readonly string[] = Object.freeze(['cloud.prices']);

/**
 * The one reader of layered settings. Ordinary settings merge as VS Code merges them (the workspace
 * wins); the privacy and money ones combine tighten-only; user-only ones ignore the workspace.
 */
export function readSettingsSnapshot(sources: SettingsSources): SettingsSnapshot {
  const ignored: string[] = [];
  const ws: RawSettingsReader = (key) => {
    const v = sources.workspace(key);
    if (v === undefined) return undefined;
    if ((!sources.trusted && RESTRICTED_KEYS.includes(key)) || USER_ONLY_KEYS.includes(key)) {
      ignored.push(key);
      return undefined;
    }
    return v;
  };
  const merged = readSettings((key) => ws(key) ?? sources.user(key));
  const user = readSettings(sources.user);
  const workspaceOnly = readSettings(ws);
  const wsSet = (key: string) => ws(key) !== undefined;

  // Privacy: local-only at either level holds; exclusions add up; redaction on at either level holds.
  const mode = user.privacy.mode === 'localOnly' || (wsSet('privacy.mode') && workspaceOnly.privacy.mode === 'localOnly') ? 'localOnly' : 'hybrid';
  const exclude = [...new Set([...user.privacy.exclude, ...(wsSet('privacy.exclude') ? workspaceOnly.privacy.exclude : [])])];
  const redactSecrets = user.privacy.redactSecrets || (wsSet('privacy.redactSecrets') && workspaceOnly.privacy.redactSecrets);
  // Switches that let code leave (cloud help inline, completions inside excluded files): the user
  // turns them on; a workspace may only turn them off.
  const tightenOff = (key: string, userValue: boolean, wsValue: boolean) => userValue && !(wsSet(key) && !wsValue);
  const cloudFallback = tightenOff('inline.cloudFallback', user.inline.cloudFallback, workspaceOnly.inline.cloudFallback);
  const enableInExcludedFiles = tightenOff('inline.enableInExcludedFiles', user.inline.enableInExcludedFiles, workspaceOnly.inline.enableInExcludedFiles);
  noteLoosening(ignored, 'privacy.mode', wsSet('privacy.mode') && workspaceOnly.privacy.mode !== mode);
  noteLoosening(ignored, 'privacy.redactSecrets', wsSet('privacy.redactSecrets') && workspaceOnly.privacy.redactSecrets !== redactSecrets);
  noteLoosening(ignored, 'inline.cloudFallback', wsSet('inline.cloudFallback') && workspaceOnly.inline.cloudFallback !== cloudFallback);
  noteLoosening(ignored, 'inline.enableInExcludedFiles', wsSet('inline.enableInExcludedFiles') && workspaceOnly.inline.enableInExcludedFiles !== enableInExcludedFiles);

  const budgetLevel = (get: RawSettingsReader, typed: TandemSettings): Partial<BudgetSettings> => ({
    ...(positive(get('cloud.dailyBudgetUsd')) ? { dailyUsd: typed.cloud.dailyBudgetUsd } : {}),
    ...(positive(get('cloud.monthlyBudgetUsd')) ? { monthlyUsd: typed.cloud.monthlyBudgetUsd } : {}),
    ...(get('cloud.warnAtPercent') !== undefined ? { warnAtFraction: typed.cloud.warnAtPercent / 100 } : {}),
    ...(typeof get('cloud.hardStop') === 'boolean' ? { hardStop: typed.cloud.hardStop } : {}),
  });
  const budget = effectiveBudget(budgetLevel(sources.user, user), budgetLevel(ws, workspaceOnly));
  const rawUserBaseUrl = sources.user('cloud.baseUrl');
  const userBaseUrl = typeof rawUserBaseUrl === 'string' ? user.cloud.baseUrl : undefined;

  return deepFreeze({
    ...merged,
    inline: { ...merged.inline, cloudFallback, enableInExcludedFiles },
    cloud: {
      ...merged.cloud,
      // The effective budget, so every reader of the typed fields sees the tightened numbers.
      dailyBudgetUsd: budget.dailyUsd ?? 0,
      monthlyBudgetUsd: budget.monthlyUsd ?? 0,
      warnAtPercent: Math.round(budget.warnAtFraction * 100),
      hardStop: budget.hardStop,
    },
    privacy: { mode, exclude, redactSecrets },
    policy: {
      userBaseUrl,
      keyAllowed: apiKeyAllowedFor(merged.cloud.baseUrl, userBaseUrl, DEFAULT_CLOUD_BASE_URL),
      budget: { ...budget },
    },
    ignoredWorkspaceKeys: [...new Set(ignored)],
  });
}

function noteLoosening(ignored: string[], key: string, loosened: boolean): void {
  if (loosened) ignored.push(key);
}

function positive(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], fallback: T): T {
  return typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
}

function bool(v: unknown, fallback: boolean): boolean {
  return typeof v === 'boolean' ? v : fallback;
}

function nonEmptyString(v: unknown, fallback: string): string {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : fallback;
}

function url(v: unknown, fallback: string): string {
  if (typeof v !== 'string') return fallback;
  try {
    const u = new URL(v.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return fallback;
    // Trailing slashes would double up when paths are appended.
    return u.toString().replace(/\/+$/, '');
  } catch {
    return fallback;
  }
}

function numberIn(v: unknown, min: number, max: number, fallback: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return fallback;
  return Math.min(max, Math.max(min, v));
}

function intIn(v: unknown, min: number, max: number, fallback: number): number {
  return Math.round(numberIn(v, min, max, fallback));
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : [];
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
