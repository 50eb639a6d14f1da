// The Check Setup report in a webview: one row per check with its status, what was found, and the
// fix as a link (a command link runs an extension command; a shell fix offers "Run in Terminal"
// and "Copy"). No scripts: links are command URIs limited to the two commands below (the fix
// command is registered but not declared, so it stays out of the Command Palette).
import * as vscode from 'vscode';
import type { CheckStatus, DoctorReport } from '../core/setup/doctor';

export const APPLY_FIX_COMMAND = 'tandem.setup.applyFix';

export class DoctorPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  showChecking(): void {
    this.ensure().webview.html = page('<p class="running">Checking your setup…</p>', 'Checking');
  }

  show(report: DoctorReport): void {
    this.ensure().webview.html = renderDoctorHtml(report);
  }

  private ensure(): vscode.WebviewPanel {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return this.panel;
    }
    this.panel = vscode.window.createWebviewPanel('tandem.setupReport', 'Tandem: Setup Check', vscode.ViewColumn.Active, {
      enableScripts: false,
      enableCommandUris: [APPLY_FIX_COMMAND, 'tandem.checkSetup'],
    });
    this.panel.onDidDispose(() => { this.panel = undefined; });
    return this.panel;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

const LABEL: Record<CheckStatus, string> = { ok: 'OK', warn: 'Warning', fail: 'Failed', skip: 'Skipped' };
const ICON: Record<CheckStatus, string> = { ok: '✔', warn: '⚠', fail: '✖', skip: '–' };

export function renderDoctorHtml(r: DoctorReport): string {
  const rows = r.checks.map((c) => {
    const fixes: string[] = [];
    if (c.fix?.shellCommand) {
      fixes.push(`<code class="shell">${esc(c.fix.shellCommand)}</code>`,
        link(`${c.fix.label}: Run in Terminal`, [c.id, 'run']), link('Copy', [c.id, 'copy']));
    } else if (c.fix?.command) {
      fixes.push(link(c.fix.label, [c.id, 'run']));
    }
    return `<tr class="check ${c.status}" data-id="${esc(c.id)}">
      <td class="status" title="${LABEL[c.status]}"><span class="icon">${ICON[c.status]}</span> ${LABEL[c.status]}</td>
      <td class="title">${esc(c.title)}</td>
      <td class="detail">${esc(c.detail)}${fixes.length ? `<div class="fix">${fixes.join(' ')}</div>` : ''}</td>
    </tr>`;
  }).join('\n');
  const n = (s: CheckStatus) => r.checks.filter((c) => c.status === s).length;
  const summary = r.overall === 'ok' ? 'Everything is set up.' : r.overall === 'warn' ? 'Working, with warnings.' : 'Something needs fixing.';
  return page(`
    <p class="overall ${r.overall}" id="overall">${ICON[r.overall]} ${summary} ${n('ok')} ok, ${n('warn')} warnings, ${n('fail')} failed, ${n('skip')} skipped.</p>
    <table><thead><tr><th>Status</th><th>Check</th><th>Details</th></tr></thead><tbody>${rows}</tbody></table>
    <p class="again"><a href="command:tandem.checkSetup">Run the checks again</a> · Logs: <em>Output › Tandem</em>; set their level with <em>Developer: Set Log Level…</em></p>`, r.overall);
}

function link(label: string, args: unknown[]): string {
  return `<a class="fix-link" href="command:${APPLY_FIX_COMMAND}?${encodeURIComponent(JSON.stringify(args))}">${esc(label)}</a>`;
}

function page(body: string, state: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<title>Tandem: Setup Check</title>
<style>
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 20px; }
  h1 { font-size: 1.4em; font-weight: 600; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--vscode-editorWidget-border, #8884); }
  td.status { white-space: nowrap; font-weight: 600; }
  tr.ok td.status { color: var(--vscode-testing-iconPassed, #3a3); }
  tr.warn td.status { color: var(--vscode-editorWarning-foreground, #c90); }
  tr.fail td.status { color: var(--vscode-errorForeground, #e33); }
  tr.skip td.status { color: var(--vscode-descriptionForeground, #888); }
  td.title { white-space: nowrap; font-weight: 600; }
  .fix { margin-top: 4px; }
  .fix a { margin-right: 10px; }
  code.shell { background: var(--vscode-textCodeBlock-background, #8882); padding: 1px 5px; margin-right: 8px; }
  .overall { font-size: 1.1em; }
  .overall.fail { color: var(--vscode-errorForeground, #e33); }
  .overall.warn { color: var(--vscode-editorWarning-foreground, #c90); }
  a { color: var(--vscode-textLink-foreground); }
</style></head>
<body data-state="${esc(state)}"><h1>Tandem setup check</h1>${body}</body></html>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
