// Where the "local" side really is. `tandem.local.endpoint` may name another machine (a team's
// inference server): then code leaves this machine, the status must say so, local-only mode must
// refuse it unless the user allowed that host, and every request is egress. Decided from the URL
// alone (no DNS lookup): only names and addresses that are loopback by definition count as this
// machine; a name that merely resolves to 127.0.0.1 through a hosts file still counts as remote.
import type { PrivacyMode } from '../settings';

export type LocalDestination =
  | { kind: 'loopback'; host: string }
  /** `allowed`: the host is in the user's tandem.local.allowedRemoteHosts. */
  | { kind: 'remote'; host: string; allowed: boolean };

/** True for localhost, *.localhost, 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.y.z). */
export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return h.split('.').every((p) => Number(p) <= 255);
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  // The URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
  const mapped = /^::ffff:(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|7f[0-9a-f]{2}:[0-9a-f]{1,4})$/.exec(h);
  return mapped !== null;
}

/** Where requests to `endpoint` go. An endpoint that does not parse is treated as remote. */
export function localDestination(endpoint: string, allowedRemoteHosts: readonly string[]): LocalDestination {
  let u: URL;
  try {
    u = new URL(endpoint.trim());
  } catch {
    return { kind: 'remote', host: endpoint, allowed: false };
  }
  if (isLoopbackHostname(u.hostname)) return { kind: 'loopback', host: u.host };
  const allowed = allowedRemoteHosts.map((a) => a.trim().toLowerCase()).filter((a) => a !== '');
  // An entry without a port allows the host on any port; with one, only that port.
  const ok = allowed.includes(u.host.toLowerCase()) || allowed.includes(u.hostname.toLowerCase());
  return { kind: 'remote', host: u.host, allowed: ok };
}

export type LocalSendDecision =
  | { ok: true; egress: false }
  /** Allowed, but code leaves the machine: record it in the egress log. */
  | { ok: true; egress: true; host: string }
  | { ok: false; reason: 'remoteLocalEndpoint'; host: string; explain: string };

/** May a request go to the local endpoint under this privacy mode, and is it egress? */
export function localSendDecision(mode: PrivacyMode, dest: LocalDestination): LocalSendDecision {
  if (dest.kind === 'loopback') return { ok: true, egress: false };
  if (mode === 'localOnly' && !dest.allowed) {
    return {
      ok: false, reason: 'remoteLocalEndpoint', host: dest.host,
      explain: `Privacy mode is local-only and the local endpoint ${dest.host} is another machine; ` +
        'allow that host in your user settings (tandem.local.allowedRemoteHosts) to use it.',
    };
  }
  return { ok: true, egress: true, host: dest.host };
}
