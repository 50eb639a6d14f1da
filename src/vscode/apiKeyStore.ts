// The OpenAI API key lives in VS Code's SecretStorage (the OS keychain on desktop) and nowhere
// else: never in settings, never in a log line. It is read once and cached until SecretStorage says
// it changed (in this window or another), so routing an inline request costs no keychain call.
import * as vscode from 'vscode';

const KEY = 'tandem.openai.apiKey';

export class ApiKeyStore {
  readonly onDidChange: vscode.Event<void>;
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;
  private cached: Promise<string | undefined> | undefined;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.onDidChange = this.emitter.event;
    this.subscription = secrets.onDidChange((e) => {
      if (e.key !== KEY) return;
      this.cached = undefined;
      this.emitter.fire();
    });
  }

  get(): Promise<string | undefined> {
    this.cached ??= this.read();
    return this.cached;
  }

  private async read(): Promise<string | undefined> {
    try {
      const v = await this.secrets.get(KEY);
      return v && v.trim() !== '' ? v.trim() : undefined;
    } catch (e) {
      this.cached = undefined; // a keychain hiccup is not remembered
      throw e;
    }
  }

  async set(key: string): Promise<void> {
    this.cached = undefined;
    await this.secrets.store(KEY, key.trim());
    this.cached = undefined;
  }

  async clear(): Promise<void> {
    this.cached = undefined;
    await this.secrets.delete(KEY);
    this.cached = undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
