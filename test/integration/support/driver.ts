// What a person sees, asked of the browser that shows the workbench (scripts/runIntegration.mjs
// serves this API on loopback): screenshots and the text of DOM elements.
import * as vscode from 'vscode';

export interface DomNode { text: string; aria: string; id: string; className: string }

async function call<T>(path: string, params: Record<string, string>): Promise<T> {
  const base = process.env.TANDEM_DRIVER_URL;
  if (!base) throw new Error('TANDEM_DRIVER_URL is not set: these tests run under scripts/runIntegration.mjs');
  const r = await fetch(`${base}${path}?${new URLSearchParams(params)}`);
  const body = await r.json() as T & { error?: string };
  if (!r.ok) throw new Error(`driver ${path}: ${body.error}`);
  return body;
}

export function screenshot(name: string): Promise<{ file: string }> {
  return call('/screenshot', { name });
}

export function query(selector: string): Promise<DomNode[]> {
  return call('/query', { selector });
}

/** Like query, but also inside every iframe: what a webview (e.g. the spend view) shows. */
export function queryFrames(selector: string): Promise<DomNode[]> {
  return call('/queryFrames', { selector });
}

/** queryFrames with each element's href (links in a webview). */
export function frameQuery(selector: string): Promise<Array<DomNode & { href: string }>> {
  return call('/queryFrames', { selector });
}

/** A real mouse click on the first element matching `selector` (main frame). */
export function click(selector: string): Promise<void> {
  return call('/click', { selector });
}

/** Types text with the keyboard into whatever has focus (e.g. a quick pick's filter box). */
export function typeKeys(text: string): Promise<void> {
  return call('/type', { text });
}

export function press(key: string): Promise<void> {
  return call('/press', { key });
}

/** Polls until `check` returns a value (not undefined), or throws after `timeoutMs` with the last seen state. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Text of Tandem's status bar items as rendered (text + accessible label). */
export async function statusBarItems(): Promise<DomNode[]> {
  return query('.statusbar-item[id^="tandem-dev.tandem"]');
}

/**
 * Notifications (popups) shown in this window and not yet cleared, read from the notification
 * center. With the smoke-test driver on (which this harness needs) VS Code shows no toasts at all,
 * so counting `.notification-toast` elements would always find none: the center is where every
 * notification a person would have seen is listed. Only Tandem's own are returned unless `all`.
 */
export async function notificationToasts(all = false): Promise<DomNode[]> {
  await vscode.commands.executeCommand('notifications.showList');
  const rows = await query('.notifications-center .monaco-list-row');
  await vscode.commands.executeCommand('notifications.hideList');
  return all ? rows : rows.filter((r) => /tandem/i.test(`${r.aria} ${r.text}`));
}

