// The API key goes only to the base URL the user chose in their USER settings (or the default).
// A workspace can override `tandem.cloud.baseUrl` in its .vscode/settings.json; a cloned repository
// that points it at its own server must not receive the user's key.

/**
 * True when `effectiveBaseUrl` is the user-level base URL (or the default when the user set none).
 * Compared as URLs: scheme, host (case-insensitive), port (default ports implied), credentials,
 * path (a trailing slash ignored) and query must all agree.
 */
export function apiKeyAllowedFor(effectiveBaseUrl: string, userLevelBaseUrl: string | undefined, defaultBaseUrl: string): boolean {
  const allowed = normalizeBaseUrl(userLevelBaseUrl ?? defaultBaseUrl);
  const effective = normalizeBaseUrl(effectiveBaseUrl);
  return allowed !== undefined && effective !== undefined && allowed === effective;
}

/** The host a request goes to, for the egress record ('' when the URL does not parse). */
export function endpointHost(baseUrl: string): string {
  try {
    return new URL(baseUrl.trim()).host;
  } catch {
    return '';
  }
}

function normalizeBaseUrl(raw: string): string | undefined {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
  u.hash = '';
  u.pathname = u.pathname.replace(/\/+$/, '') || '/';
  return u.href;
}
