// The OpenAI API key lives in VS Code's SecretStorage (the OS keychain on desktop) and nowhere
// else: never in settings, never in a log line.
import * as vscode from 'vscode';

const KEY = 'tandem.openai.apiKey';

export class ApiKeyStore {
  readonly onDidChange: vscode.Event<void>;
  private readonly emitter = new vscode.EventEmitter<void>();

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.onDidChange = this.emitter.event;
    secrets.onDidChange((e) => { if (e.key === KEY) this.emitter.fire(); });
  }

  async get(): Promise<string | undefined> {
    const v = await this.secrets.get(KEY);
    return v && v.trim() !== '' ? v.trim() : undefined;
  }

  async set(key: string): Promise<void> {
    await this.secrets.store(KEY, key.trim());
  }

  async clear(): Promise<void> {
    await this.secrets.delete(KEY);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
