// Tandem's own secret detectors, run next to secretlint's recommended preset. The preset misses
// several formats the privacy issue names (GitLab, Stripe, Anthropic, Azure, Twilio, JWTs,
// database URLs, plain `password=` assignments), and it requires exact token lengths that vendors
// change. Token shapes below are the vendors' published prefixes, cross-checked against the default
// rules of gitleaks (github.com/gitleaks/gitleaks, config/gitleaks.toml, 2025); lengths are kept
// loose (a minimum, no maximum) because a missed secret costs more than a redacted non-secret.

import { BIP39_ENGLISH } from './bip39English';

export interface SecretSpan {
  start: number;
  end: number;
  ruleId: string;
}

interface TokenRule {
  id: string;
  regex: RegExp;
  /** Capture group holding the secret; 0 (the whole match) when absent. */
  group?: number;
  /** Extra test on the captured value for shapes that ordinary text can also take. */
  accept?: (value: string) => boolean;
}

const TOKEN_RULES: readonly TokenRule[] = [
  // PEM blocks, also inside JSON strings (escaped \n) and when the END line is missing
  // (a selection can cut a key in half: the half still must not leave).
  { id: 'tandem/private-key', regex: /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|$)/g },
  { id: 'tandem/putty-private-key', regex: /PuTTY-User-Key-File-\d+:[\s\S]*?(?:Private-MAC:[ \t]*[0-9a-fA-F]+|$)/g },
  { id: 'tandem/age-secret-key', regex: /\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b/g },
  { id: 'tandem/aws-access-key-id', regex: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}\b/g },
  { id: 'tandem/github-token', regex: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b/g },
  { id: 'tandem/github-fine-grained-token', regex: /\bgithub_pat_[A-Za-z0-9_]{22,}/g },
  { id: 'tandem/gitlab-token', regex: /\bgl(?:pat|dt|ptt|rt|soat|ft|imt|oas|cbt|agent)-[A-Za-z0-9_-]{20,}/g },
  { id: 'tandem/slack-token', regex: /\bxox[abeoprs]-[A-Za-z0-9-]{10,}/g },
  { id: 'tandem/slack-webhook', regex: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{20,}/g },
  { id: 'tandem/stripe-key', regex: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { id: 'tandem/stripe-webhook-secret', regex: /\bwhsec_[A-Za-z0-9+/=]{24,}/g },
  { id: 'tandem/anthropic-key', regex: /\bsk-ant-[a-z]+\d*-[A-Za-z0-9_-]{20,}/g },
  // OpenAI keys: sk-proj-/sk-svcacct-/sk-admin-/legacy sk-. Ordinary text has `sk-` words
  // (class names, slugs), so a bare `sk-` needs a random-looking body.
  { id: 'tandem/openai-key', regex: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g, accept: (v) => hasDigitAndLetter(v) && shannonEntropy(v) >= 3.5 },
  { id: 'tandem/npm-token', regex: /\bnpm_[A-Za-z0-9]{36,}/g },
  { id: 'tandem/pypi-token', regex: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{30,}/g },
  { id: 'tandem/sendgrid-key', regex: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g },
  { id: 'tandem/twilio-api-key', regex: /\bSK[0-9a-fA-F]{32}\b/g },
  { id: 'tandem/google-api-key', regex: /\bAIza[0-9A-Za-z_-]{35}/g },
  { id: 'tandem/google-oauth-token', regex: /\bya29\.[0-9A-Za-z_-]{20,}/g },
  { id: 'tandem/google-client-secret', regex: /\bGOCSPX-[0-9A-Za-z_-]{20,}/g },
  { id: 'tandem/huggingface-token', regex: /\bhf_[A-Za-z0-9]{30,}\b/g },
  { id: 'tandem/digitalocean-token', regex: /\bdo[opr]_v1_[a-f0-9]{64}\b/g },
  { id: 'tandem/databricks-token', regex: /\bdapi[a-f0-9]{32}(?:-\d)?\b/g },
  { id: 'tandem/mailgun-key', regex: /\bkey-[0-9a-zA-Z]{32}\b/g },
  { id: 'tandem/mailchimp-key', regex: /\b[0-9a-f]{32}-us\d{1,2}\b/g },
  { id: 'tandem/shopify-token', regex: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32,}\b/g },
  { id: 'tandem/square-token', regex: /\bsq0(?:atp|csp)-[0-9A-Za-z_-]{22,}/g },
  { id: 'tandem/docker-hub-token', regex: /\bdckr_pat_[A-Za-z0-9_-]{20,}/g },
  { id: 'tandem/vault-token', regex: /\bhv[sb]\.[A-Za-z0-9_-]{24,}/g },
  { id: 'tandem/telegram-bot-token', regex: /\b\d{8,10}:AA[A-Za-z0-9_-]{30,}/g },
  { id: 'tandem/groq-key', regex: /\bgsk_[A-Za-z0-9]{40,}\b/g },
  // Azure storage / Service Bus connection strings and SAS URLs: the key, not the whole string.
  { id: 'tandem/azure-account-key', regex: /\b(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{20,}={0,2})/gi, group: 1 },
  { id: 'tandem/azure-sas-signature', regex: /[?&]sig=([A-Za-z0-9%+/=]{20,})/g, group: 1 },
  // JWTs: base64url of `{"` is `eyJ`, for the header and (almost always) the claims.
  { id: 'tandem/jwt', regex: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g },
  // scheme://user:password@host: the password only, up to the last @ before the host.
  {
    id: 'tandem/url-password',
    regex: /\b[a-zA-Z][a-zA-Z0-9+.-]{1,30}:\/\/[^\s:@/?#"'`<>]*:([^\s"'`<>/]+)@[^\s@/?#"'`<>]+/g,
    group: 1,
    accept: (v) => !isPlaceholderValue(v),
  },
  // Query strings: ?access_token=…&client_secret=… (the assignment detector reads `a=b&c=d` as one value).
  // A password-like parameter keeps `#` (JDBC URLs carry raw passwords; a fragment never follows `password=`).
  { id: 'tandem/url-query-secret', regex: /[?&](?:password|passwd|pwd)=([^&\s"'`<>]{3,})/gi, group: 1, accept: (v) => !isPlaceholderValue(v) },
  { id: 'tandem/url-query-secret', regex: /[?&](?:secret|client_secret|token|access_token|refresh_token|api_?key|apikey|key|sig|signature)=([^&#\s"'`<>]{3,})/gi, group: 1, accept: (v) => !isPlaceholderValue(v) },
  // ADO.NET / ODBC / JDBC-style `…;Password=…;`, also first in the string (`"Password=…;User ID=…"`).
  { id: 'tandem/connection-string-password', regex: /[;"'`][ \t]*(?:Password|Pwd)[ \t]*=[ \t]*([^;'"`\r\n]{3,})/gi, group: 1, accept: (v) => !isPlaceholderValue(v.trim()) },
  // ~/.pgpass: host:port:database:user:password, one per line.
  // Also commented out or rendered as a comment (a context snippet): still the same password.
  { id: 'tandem/pgpass', regex: /^[ \t]*(?:(?:#|\/\/)[ \t]*)?[A-Za-z0-9_.*-]+:(?:\d{1,5}|\*):[^:\s]+:[^:\s]+:(\S{3,})(?=[ \t]|$)/gm, group: 1, accept: (v) => !isPlaceholderValue(v) },
  // ~/.netrc: machine HOST [login USER] [account A] password SECRET, and a `password SECRET` line of its own.
  { id: 'tandem/netrc-password', regex: /\bmachine[ \t]+\S+(?:(?:\s|\/\/|#)+(?:login|account|port|protocol)[ \t]+\S+)*(?:\s|\/\/|#)+password[ \t]+(\S+)/g, group: 1, accept: (v) => !isPlaceholderValue(v) },
  { id: 'tandem/netrc-password', regex: /^[ \t]*(?:(?:#|\/\/)[ \t]*)?password[ \t]+(\S{6,})[ \t]*$/gm, group: 1, accept: (v) => !isPlaceholderValue(v) && /[A-Za-z]/.test(v) && /[\d!@#$%^&*~_.-]/.test(v) },
  // Command lines: `mysql -pSECRET`, `--password=SECRET` / `--password SECRET`, `curl -u user:SECRET`,
  // `docker run -e DB_PASSWORD=SECRET`, `--build-arg`, `helm --set`, `kubectl --from-literal`.
  { id: 'tandem/cli-password', regex: /\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump|mycli)\b[^\n]*?[ \t]-p(["']?)([^\s"']{3,})\1/g, group: 2, accept: (v) => !isPlaceholderValue(v) },
  { id: 'tandem/cli-password', regex: /(?:^|[\s"'])--?(?:password|passwd|pass|pwd|token|secret|api-key|apikey|client-secret|auth-token)(?:=|[ \t]+)(["']?)([^\s"']{4,})\1/gim, group: 2, accept: (v) => !isPlaceholderValue(v) && !/^-/.test(v) },
  { id: 'tandem/cli-password', regex: /(?:^|\s)(?:-u|--user)[ \t]+(["']?)[^:\s"']+:([^\s"']{3,})\1/gm, group: 2, accept: (v) => !isPlaceholderValue(v) },
  { id: 'tandem/cli-password', regex: /(?:^|\s)(?:-e|--env|--build-arg|--set(?:-string)?|--from-literal|-D)[ \t=]+(["']?)[A-Za-z_][\w.-]*(?:passw|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|mnemonic)[\w.-]*=([^\s"']{3,})\1/gim, group: 2, accept: (v) => !isPlaceholderValue(v) },
  // Discord bot tokens: base64 of the bot's numeric id, a timestamp, an HMAC.
  { id: 'tandem/discord-bot-token', regex: /\b[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}(?![A-Za-z0-9_-])/g },
  // XML/HTML-ish config: <password>…</password>, <secret>…</secret>, <apiKey>…</apiKey>.
  { id: 'tandem/xml-secret', regex: /<((?:[\w.-]*?)(?:password|passwd|secret|token|apikey|api-key|api_key))>([^<\s][^<]{2,})<\/\1>/gi, group: 2, accept: (v) => !isPlaceholderValue(v) },
  { id: 'tandem/authorization-header', regex: /\b(?:Bearer|Token)[ \t]+([A-Za-z0-9._~+/-]{16,}=*)/g, group: 1, accept: (v) => hasDigitAndLetter(v) },
  { id: 'tandem/authorization-header', regex: /\bBasic[ \t]+([A-Za-z0-9+/]{12,}={0,2})(?![A-Za-z0-9+/=])/g, group: 1, accept: (v) => /\d|=$/.test(v) },
];

// The `d` flag gives each capture group's offsets (a value can also occur earlier in the match).
const COMPILED_RULES = TOKEN_RULES.map((r) => ({ ...r, regex: new RegExp(r.regex.source, r.regex.flags + 'd') }));

/** Finds every token-shaped secret and every secret-looking assignment in `text`. */
export function findPatternSecrets(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  for (const rule of COMPILED_RULES) {
    for (const m of text.matchAll(rule.regex)) {
      const value = m[rule.group ?? 0];
      const at = m.indices?.[rule.group ?? 0];
      if (value === undefined || value === '' || !at) continue;
      if (rule.accept && !rule.accept(value)) continue;
      spans.push({ start: at[0], end: at[1], ruleId: rule.id });
    }
  }
  spans.push(...findKeyTails(text));
  spans.push(...findAssignedSecrets(text));
  spans.push(...findSeedPhrases(text));
  return spans;
}

// BIP-39 seed phrases: 12 to 24 words of the BIP-39 list in a row, whatever holds them (a string,
// a .env value, a line of its own). The list is made of common words, but 12 of them in a row with
// nothing else in between does not happen in code or prose.
const SEED_WORDS_MIN = 12;

function findSeedPhrases(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  let runStart = -1;
  let runEnd = -1;
  let count = 0;
  const close = () => {
    if (count >= SEED_WORDS_MIN) spans.push({ start: runStart, end: runEnd, ruleId: 'tandem/bip39-seed-phrase' });
    count = 0;
  };
  for (const m of text.matchAll(/\b[a-z]{3,8}\b/g)) {
    const at = m.index ?? 0;
    const joined = count > 0 && /^[ \t]*(?:\r?\n)?[ \t]*$/.test(text.slice(runEnd, at)) && text.slice(runEnd, at) !== '';
    if (!BIP39_ENGLISH.has(m[0])) { close(); continue; }
    if (!joined) { close(); runStart = at; }
    runEnd = at + m[0].length;
    count++;
  }
  close();
  return spans;
}

// The rest of a private key whose BEGIN line lies outside this text (a snippet that starts
// mid-key): the base64 lines right above an END line. Walked line by line, not by regex, because a
// backwards-anchored pattern backtracks quadratically over a long base64 run.
const KEY_END = /-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----/g;
const B64_CHAR = /[A-Za-z0-9+/=]/;

function findKeyTails(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  for (const m of text.matchAll(KEY_END)) {
    const end = (m.index ?? 0) + m[0].length;
    let start = m.index ?? 0;
    for (let first = true; ; first = false) {
      // Line separators: a newline, or a `\n` escape inside a JSON or code string.
      const sep = text.endsWith('\\n', start) ? 2 : text[start - 1] === '\n' ? (text[start - 2] === '\r' ? 2 : 1) : 0;
      if (sep === 0 && !first) break;
      const lineEnd = start - sep;
      let lineStart = lineEnd;
      while (lineStart > 0 && B64_CHAR.test(text[lineStart - 1]) && !(text[lineStart - 1] === 'n' && text[lineStart - 2] === '\\')) lineStart--;
      const whole = lineStart === 0 || text[lineStart - 1] === '\n' || text.endsWith('\\n', lineStart);
      const length = lineEnd - lineStart;
      // Key lines are long; a short one is only accepted as the last line before END.
      if (length === 0 || (length < 16 && !first)) break;
      start = lineStart;
      if (!whole) break;
    }
    if (start < (m.index ?? 0)) spans.push({ start, end, ruleId: 'tandem/private-key-tail' });
  }
  return spans;
}

// --- Generic assignments: `password = "..."`, `API_KEY=...`, `"client_secret": "..."`, `token: ...`

// What the name ends with decides how strict the value test is: anything literal assigned to a
// password-like name is a secret; a key/token-like name (also: cache keys, sort keys, token types)
// needs a random-looking value.
function isPasswordName(name: string, configLine: boolean): boolean {
  if (/^(?:old)?pwd$/i.test(name)) return false; // the shell's working directory
  if (/(?:passw(?:or)?d|pwd|passphrase|secret)$/i.test(name)) return true;
  // DB_PASS=… in a .env file; in code, `pass` is as often a test result (EVENT_TEST_PASS).
  return configLine && /(?:^|[_.-])pass$/i.test(name);
}
const TOKEN_NAME = /(?:token|key|auth|authorization|credentials?|creds|signature|salt)$/i;
// Names that end like a secret but hold public or structural values: only a random value counts.
const STRUCTURAL_KEY_NAME = /(?:public|pub|primary|foreign|sort|partition|row|cache|idempotency|hot|keyboard|i18n|translation|map|lookup|dict|object|list|item|unique|react)[_.-]?key$/i;
// Names that hold a credential: the secret word at the end (or before a qualifier: _BASE, _PROD), or
// `secret` anywhere (secret_key, SecretKeyBase).
const CREDENTIAL_NAME = /secret|(?:passw(?:or)?d|passwd|pwd|passphrase|token|api[_.-]?key|private[_.-]?key|access[_.-]?key|signing[_.-]?key|encryption[_.-]?key|master[_.-]?key|auth[_.-]?key|credentials?|mnemonic|seed[_.-]?phrase)(?:[_.-]?(?:base|value|prod|production|dev|live|test|staging|\d+))?$/i;
// …unless the name says it holds something about the credential, not the credential.
const NOT_A_SECRET_NAME = /(?:name|names|id|ids|arn|path|file|url|uri|type|header|field|prefix|env|var|ref|version|length|len|count|ttl|label|kind|format|scope|endpoint|algorithm|alg|mode|cookie|param|policy|provider|store|manager|rotation|expiry|expires|pattern|regex|placeholder|hint|description)$/i;
const SECRET_WORD = /passw(?:or)?d|passwd|pwd|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|auth|credential/i;

// name, optional quotes around it, an optional type annotation (`password: string = "..."`), the
// separator, then a quoted string or a bare token.
const ASSIGNMENT = new RegExp(
  String.raw`(?<![A-Za-z0-9_$])(["']?)([A-Za-z_$][A-Za-z0-9_.$-]*)\1` +
    String.raw`(?:[ \t]*:[ \t]*[A-Za-z_$][\w$.]*(?:<[^>\n]*>)?(?:\[\])?(?:[ \t]*\|[ \t]*[A-Za-z_$][\w$.]*)*(?=[ \t]*=[^=>]))?` +
    String.raw`[ \t]*(:=|=>|\?=|=|:)[ \t]*` +
    String.raw`("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\x60[^\x60\n]*\x60|[^\s,;'"\x60)}\]]+)`,
  'g',
);

// Words that follow `password:` in code rather than in configuration.
const CODE_WORDS = new Set([
  'string', 'str', 'number', 'int', 'integer', 'boolean', 'bool', 'any', 'unknown', 'object', 'bytes', 'char',
  'null', 'none', 'nil', 'undefined', 'true', 'false', 'this', 'self', 'new', 'await', 'function', 'lambda',
  'optional', 'required', 'secretstr', 'securestring', 'text', 'varchar', 'password', 'secret', 'token',
]);

function findAssignedSecrets(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  for (const m of text.matchAll(ASSIGNMENT)) {
    const index = m.index ?? 0;
    const [whole, , name, separator, rawValue] = m;
    const quoted = /^["'`]/.test(rawValue);
    const value = quoted ? rawValue.slice(1, -1) : rawValue;
    if (value.length < 4 || isPlaceholderValue(value)) continue;
    // CLIENT_SECRET = "client_secret": a constant naming a field, not a value.
    if (quoted && /^[A-Za-z_]+$/.test(value) && SECRET_WORD.test(value)) continue;
    const valueStart = index + whole.length - rawValue.length + (quoted ? 1 : 0);
    const lineEnd = text.indexOf('\n', index + whole.length);
    const restOfLine = text.slice(index + whole.length, lineEnd === -1 ? text.length : lineEnd);
    const configLine = isConfigLine(text, index, whole, separator);
    const literal = quoted || isLiteralUnquoted(value, separator, restOfLine, configLine);
    const notNumber = !/^\d+$/.test(value);

    let secret: boolean;
    if (STRUCTURAL_KEY_NAME.test(name)) secret = looksRandom(value);
    else if (isPasswordName(name, configLine)) secret = literal;
    else if (TOKEN_NAME.test(name)) secret = looksRandom(value) || (configLine && literal && notNumber);
    // Configuration names carry the secret word anywhere: SECRET_KEY_BASE, API_KEY_PROD.
    else secret = configLine && literal && notNumber && SECRET_WORD.test(name);
    // A credential-named literal that looks typed or generated rather than like a word or a name:
    // `apiKey = "Summer2024Prod!"`, Django's SECRET_KEY with its `#$%!@^&*()` alphabet,
    // `secret_key_base: 9f3c…` in YAML, `SecretKeyBase = "…"` in C#.
    if (!secret && literal && CREDENTIAL_NAME.test(name) && !NOT_A_SECRET_NAME.test(name) && looksLikeCredential(value)) secret = true;
    if (secret) spans.push({ start: valueStart, end: valueStart + value.length, ruleId: 'tandem/assigned-secret' });
  }
  return spans;
}

/** `name=value` alone on its line: dotenv, shell, ini, .properties (code puts spaces around `=`). */
function isConfigLine(text: string, index: number, whole: string, separator: string): boolean {
  if (separator !== '=' || /[ \t]=|=[ \t]/.test(whole)) return false;
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  const lineEnd = text.indexOf('\n', index);
  const rest = text.slice(index + whole.length, lineEnd === -1 ? text.length : lineEnd);
  // A commented-out line (`# API_KEY=…`, or a snippet rendered as comments) still holds the value.
  return /^[ \t]*(?:(?:#|\/\/|;|--)[ \t]*)?(?:(?:export|ENV|ARG|readonly|declare(?:[ \t]+-[A-Za-z]+)?)[ \t]+)?$/.test(text.slice(lineStart, index)) &&
    /^[ \t]*(?:(?:[#;]|\/\/).*)?\r?$/.test(rest);
}

/**
 * Unquoted values are literals in .env/YAML/ini lines and references in code. Code is told by
 * what surrounds the value: more code after it on the line, a call or member access in it, an
 * identifier after `=`, or a type name after `:`.
 */
function isLiteralUnquoted(value: string, separator: string, restOfLine: string, configLine: boolean): boolean {
  if (configLine) return !/^\$/.test(value);
  if (!/^[ \t]*(?:(?:#|\/\/).*)?\r?$/.test(restOfLine)) return false;
  if (CODE_WORDS.has(value.toLowerCase())) return false;
  if (/[()[\]{}]/.test(value) || /^[$@%&*!|>\\]/.test(value)) return false;
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value)) return false; // member access
  if (separator !== ':' && /^[A-Za-z_$][\w$]*$/.test(value)) return false; // `password = userInput`
  return true;
}

/**
 * A value someone typed or generated as a credential: 8+ characters without spaces, letters mixed
 * with digits or punctuation, and not a URL, a path, a dotted name or a run of plain words.
 */
function looksLikeCredential(value: string): boolean {
  if (value.length < 8 || value.length > 512 || /\s/.test(value) || /:\/\//.test(value)) return false;
  if (!/[A-Za-z]/.test(value) || !/[\d!@#$%^&*()+=~?<>|\\{}[\]]/.test(value)) return false;
  if (/^(?:\.{0,2}\/|~\/|[A-Za-z]:\\)/.test(value) || /\$\{|\{\{|%\(|^\$[A-Za-z_]/.test(value)) return false;
  if (/^[A-Za-z_$][\w$]*\(.*\)$/.test(value)) return false; // a call
  // Words, names and versions: every segment all letters or all digits (kebab-case-2, v1.2.3, en_US).
  const segments = value.split(/[._:/-]/);
  if (segments.every((seg) => /^[A-Za-z]*$/.test(seg) || /^\d*$/.test(seg))) return false;
  if (/^[A-Za-z_]+\d{1,3}$/.test(value) || /^v?\d+(?:\.\d+)*(?:[-+][\w.]+)?$/.test(value)) return false;
  return true;
}

function looksLikeTemplate(value: string): boolean {
  return /^\s*$/.test(value) || /^(?:\$\{|\$\(|\{\{|%\(|<[^>]*>$|\$[A-Z_])/.test(value);
}

/** `${DB_PASSWORD}`, `<password>`, `{{ secret }}`, `****`, `xxxxx`, `%s`, `...`: not a value. */
export function isPlaceholderValue(value: string): boolean {
  return (
    looksLikeTemplate(value) ||
    /^(?:\*+|x+|X+|\.{3,}|•+|%[sd]|\?+|_+|-+)$/.test(value) ||
    /^(?:changeme|redacted|placeholder|your[\w-]*|example|<[^>]*>)$/i.test(value) ||
    // The words themselves, as in docs: `https://user:password@host`, `password: "password"`.
    /^(?:password|passwd|pass|pwd|pw|secret|token)$/i.test(value) ||
    /TANDEM_REDACTED_\d+/.test(value)
  );
}

/** Random-looking: long, letters and digits, high character entropy, not a path or dotted name. */
export function looksRandom(value: string): boolean {
  // Tokens are drawn from base64/hex/url-safe alphabets; code has brackets, `$`, spaces.
  if (value.length < 16 || !/^[A-Za-z0-9+/=_.~-]+$/.test(value) || /:\/\//.test(value)) return false;
  if (!hasDigitAndLetter(value)) return false;
  if (/^[A-Za-z_]+\d{1,3}$/.test(value)) return false; // an identifier with a counter: tokenProvider2
  if (/^(?:\.{0,2}\/|https?:|@)/.test(value)) return false;
  if (/\.(?:png|jpe?g|gif|svg|webp|ico|js|mjs|ts|tsx|json|css|html|md|txt|ya?ml)$/i.test(value)) return false;
  // Slugs and dotted names: every segment all letters or all digits (random tokens mix them).
  const segments = value.split(/[._:#/-]/);
  if (segments.length >= 3 && segments.every((s) => /^[A-Za-z]*$/.test(s) || /^\d*$/.test(s))) return false;
  return shannonEntropy(value) >= 3.0;
}

function hasDigitAndLetter(v: string): boolean {
  return /\d/.test(v) && /[A-Za-z]/.test(v);
}

/** Bits per character over the value's own character distribution. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

