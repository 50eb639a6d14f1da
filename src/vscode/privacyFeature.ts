// Privacy in the editor: the mode and the router's decision for the active file in the status bar,
// "Tandem: Show What Left This Machine" (the egress log as a readable page), switching the mode,
// and keeping all of it current when trust is granted, the key, settings or exclusions change.
// Decisions are core's (privacyStatus.ts over decideRoute; egressView.ts); this only gathers inputs.
import * as vscode from 'vscode';
import { endpointHost } from '../core/shared/apiKeyAllowedFor';
import { renderEgressMarkdown } from '../core/privacy/egressView';
import { describePrivacy, privacyLogLine, type PrivacyStatusView } from '../core/status/privacyStatus';
import type { Services } from './services';

export const EGRESS_SCHEME = 'tandem-egress';
export const EGRESS_URI = vscode.Uri.from({ scheme: EGRESS_SCHEME, path: '/What Left This Machine.md' });

export function registerPrivacyFeature(services: Services): void {
  const { context } = services;
  const status = new PrivacyStatus(services);
  const egressPage = new EgressPage(services);
  context.subscriptions.push(
    status,
    egressPage,
    vscode.workspace.registerTextDocumentContentProvider(EGRESS_SCHEME, egressPage),
    vscode.commands.registerCommand('tandem.showEgressLog', async () => {
      egressPage.refresh();
      const doc = await vscode.workspace.openTextDocument(EGRESS_URI);
      await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
      await vscode.window.showTextDocument(doc, { preview: false });
    }),
    vscode.commands.registerCommand('tandem.togglePrivacyMode', async () => {
      const { configuration } = services;
      const next = services.settings().privacy.mode === 'localOnly' ? 'hybrid' : 'localOnly';
      const hasWorkspace = Boolean(vscode.workspace.workspaceFolders?.length);
      if (next === 'localOnly') {
        // Tightening is the workspace's right: a client's repository can be local-only while a side
        // project is hybrid. Without a workspace it is the user's default.
        await configuration.update('privacy.mode', next, hasWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
      } else {
        // Loosening counts only at the user's level (a workspace value can only tighten): the user
        // asked for hybrid here, so drop this workspace's local-only and their own.
        if (hasWorkspace && configuration.valueAt('privacy.mode', 'workspace') !== undefined) {
          await configuration.update('privacy.mode', undefined, vscode.ConfigurationTarget.Workspace);
        }
        if (configuration.valueAt('privacy.mode', 'user') === 'localOnly') await configuration.update('privacy.mode', next, vscode.ConfigurationTarget.Global);
      }
      return next;
    }),
  );
}

/** The `tandem.privacy` status bar item: mode, active file, and where requests from it would go. */
class PrivacyStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private hasApiKey = false;
  private lastLogLine = '';
  private generation = 0;

  constructor(private readonly services: Services) {
    this.item = vscode.window.createStatusBarItem('tandem.privacy', vscode.StatusBarAlignment.Right, 99);
    this.item.name = 'Tandem: Privacy';
    this.item.command = 'tandem.showEgressLog';
    const refresh = () => void this.refresh();
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(refresh),
      vscode.workspace.onDidGrantWorkspaceTrust(refresh),
      services.onDidChangeSettings(refresh),
      services.apiKey.onDidChange(refresh),
      services.exclusion.onDidReload(refresh),
      services.local.onDidChange(refresh),
    );
    void this.refresh();
    this.item.show();
  }

  async refresh(): Promise<void> {
    const mine = ++this.generation;
    const hasApiKey = Boolean(await this.services.apiKey.get().catch(() => undefined));
    if (mine !== this.generation) return; // a newer refresh is running
    this.hasApiKey = hasApiKey;
    const s = this.services.settings();
    const doc = vscode.window.activeTextEditor?.document;
    const activePath = doc && isWorkspaceFile(doc.uri) ? this.services.exclusion.relativePath(doc.uri) : undefined;
    const view = describePrivacy({
      mode: s.privacy.mode,
      trusted: this.services.trusted(),
      hasApiKey: this.hasApiKey,
      endpointAllowed: s.policy.keyAllowed,
      cloudHost: endpointHost(s.cloud.baseUrl),
      cloudModel: s.cloud.model,
      cloudFallback: s.inline.cloudFallback,
      inlineInExcludedFiles: s.inline.enableInExcludedFiles,
      localHealth: this.services.local.state.health,
      ...(doc && activePath !== undefined ? { activeFile: { path: activePath, exclusion: this.services.exclusion.check(doc.uri) } } : {}),
    });
    this.show(view);
    const line = privacyLogLine(view, activePath);
    if (line !== this.lastLogLine) {
      this.lastLogLine = line;
      this.services.log.info(line);
    }
  }

  private show(view: PrivacyStatusView): void {
    this.item.text = view.text;
    const md = new vscode.MarkdownString(view.tooltip.map(escapeMarkdown).join('\n\n'));
    md.appendMarkdown('\n\n[Show what left this machine](command:tandem.showEgressLog) · [Switch privacy mode](command:tandem.togglePrivacyMode)');
    md.isTrusted = { enabledCommands: ['tandem.showEgressLog', 'tandem.togglePrivacyMode'] };
    this.item.tooltip = md;
    this.item.accessibilityInformation = { label: view.accessibleLabel };
    this.item.backgroundColor = view.severity === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.item.dispose();
  }
}

/** The egress log rendered as Markdown, re-read whenever it is shown or the log file changes. */
class EgressPage implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;

  constructor(private readonly services: Services) {
    const file = vscode.Uri.file(services.egressFile);
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(file, '..'), 'egress.jsonl'));
    this.watcher.onDidChange(() => this.refresh());
    this.watcher.onDidCreate(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire(EGRESS_URI);
  }

  async provideTextDocumentContent(): Promise<string> {
    const { entries, skipped } = await this.services.egress.read();
    return renderEgressMarkdown({ entries, skipped, filePath: this.services.egressFile });
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}

function isWorkspaceFile(uri: vscode.Uri): boolean {
  return uri.scheme !== EGRESS_SCHEME && uri.scheme !== 'output' && uri.scheme !== 'vscode-scm' && uri.scheme !== 'git';
}

function escapeMarkdown(line: string): string {
  return line.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
