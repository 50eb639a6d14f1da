// The spend view: a webview panel whose script (media/spendView.js) renders core's SpendViewModel
// with Chart.js. Strict CSP: scripts only with this page's nonce, styles and images only from the
// extension; the page gets data by postMessage and asks for export/reset the same way.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { SpendViewModel } from '../core/cost/spendViewModel';

export const SPEND_VIEW_TYPE = 'tandem.spendView';

export interface SpendViewActions {
  exportCsv(): void;
  reset(): void;
  /** The calculator's raw inputs changed (validated in core). */
  scenario(raw: Record<string, unknown>): void;
}

/** Messages the page sends. */
type FromPage = { type: 'ready' } | { type: 'export' } | { type: 'reset' } | { type: 'scenario'; input: Record<string, unknown> };

export class SpendView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private model: SpendViewModel | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly actions: SpendViewActions) {}

  show(model?: SpendViewModel): void {
    if (model) this.model = model;
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const roots = [vscode.Uri.joinPath(this.extensionUri, 'media'), vscode.Uri.joinPath(this.extensionUri, 'dist')];
    const panel = vscode.window.createWebviewPanel(SPEND_VIEW_TYPE, 'Tandem: Spend', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: roots,
    });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html(panel.webview);
    panel.webview.onDidReceiveMessage((m: FromPage) => {
      if (m?.type === 'ready') this.post();
      else if (m?.type === 'export') this.actions.exportCsv();
      else if (m?.type === 'reset') this.actions.reset();
      else if (m?.type === 'scenario' && typeof m.input === 'object' && m.input !== null) this.actions.scenario(m.input);
    });
    panel.onDidDispose(() => { this.panel = undefined; });
    this.panel = panel;
  }

  update(model: SpendViewModel): void {
    this.model = model;
    this.post();
  }

  private post(): void {
    if (this.panel && this.model) void this.panel.webview.postMessage({ type: 'model', model: this.model });
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...p)).toString();
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource}`,
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('media', 'spendView.css')}">
<title>Tandem: Spend</title>
</head>
<body>
<header>
  <h1>Tandem spend</h1>
  <div class="actions">
    <button id="export" type="button">Export CSV…</button>
    <button id="reset" type="button" class="secondary">Reset records…</button>
  </div>
</header>
<main id="content" aria-busy="true">
  <section class="cards" id="cards" aria-label="Totals"></section>
  <section id="notes" class="notes" aria-live="polite"></section>
  <section class="outlook" aria-label="Forecast, savings and break-even">
    <div id="forecast" class="panel"></div>
    <div id="savings" class="panel"></div>
    <div id="break-even" class="panel"></div>
  </section>
  <section>
    <h2>Daily cloud spend, last 30 days, and the month-end forecast</h2>
    <div class="chart"><canvas id="daily" role="img" aria-label="Daily cloud spend for the last 30 days"></canvas></div>
  </section>
  <section class="tables">
    <div><h2>By model (this month)</h2><table id="by-model"></table></div>
    <div><h2>By command (this month)</h2><table id="by-command"></table></div>
  </section>
  <section>
    <h2>Local completions (free, never sent anywhere)</h2>
    <table id="local"></table>
  </section>
  <section>
    <h2>What would this cost in the cloud?</h2>
    <form id="scenario" class="scenario">
      <label>Sessions per day <input id="sc-sessions" name="sessionsPerDay" type="number" min="0" step="1"></label>
      <label>Input tokens per session <input id="sc-input" name="inputTokensPerSession" type="number" min="0" step="100"></label>
      <label>Output tokens per session <input id="sc-output" name="outputTokensPerSession" type="number" min="0" step="100"></label>
      <label>Days per month <input id="sc-days" name="daysPerMonth" type="number" min="0" max="31" step="1"></label>
    </form>
    <p id="scenario-tokens" class="muted"></p>
    <table id="scenario-costs"></table>
  </section>
</main>
<script nonce="${nonce}" src="${asset('dist', 'chart.umd.min.js')}"></script>
<script nonce="${nonce}" src="${asset('media', 'spendView.js')}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
