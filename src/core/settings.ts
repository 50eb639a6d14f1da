// The typed settings object. One module reads raw values (from VS Code's configuration, the CLI's
// flags or a test), validates and clamps them, and hands out a frozen object; nothing else reads
// raw configuration. The manifest's `contributes.configuration` declares the same keys, and a unit
// test checks that the two agree.
import { parsePriceOverrides, type PriceRow } from './cost/priceTable';

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
    /**
     * Hosts (host or host:port) the user allows as a non-loopback local endpoint in local-only
     * mode. Application scope: only the user's own settings can hold it, never a workspace.
     */
    readonly allowedRemoteHosts: readonly string[];
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
    allowedRemoteHosts: [],
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
      model: nonEmptyString(get('local.model'), d.local.model),
      keepAlive: nonEmptyString(get('local.keepAlive'), d.local.keepAlive),
      warmUp: bool(get('local.warmUp'), d.local.warmUp),
      maxTokens: intIn(get('local.maxTokens'), 8, 1024, d.local.maxTokens),
      temperature: numberIn(get('local.temperature'), 0, 2, d.local.temperature),
      contextTokens: intIn(get('local.contextTokens'), 256, 32768, d.local.contextTokens),
      allowedRemoteHosts: stringList(get('local.allowedRemoteHosts')).map((h) => h.trim().toLowerCase()),
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
