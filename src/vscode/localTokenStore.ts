// The local server token (a team server's vLLM --api-key, LiteLLM key or auth-proxy token) lives in
// SecretStorage under its own key, apart from the OpenAI key. It is read once and cached until
// SecretStorage reports a change, so no keystroke waits on the keychain.
import * as vscode from 'vscode';

const KEY = 'tandem.local.token';

export class LocalTokenStore implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly sub: vscode.Disposable;
  private cached: string | undefined;
  private loaded: Promise<void>;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.loaded = this.load();
    this.sub = secrets.onDidChange((e) => {
      if (e.key !== KEY) return;
      this.loaded = this.load().then(() => this.emitter.fire());
    });
  }

  /** Resolves once the first read finished (activation waits for it before the first health check). */
  ready(): Promise<void> {
    return this.loaded;
  }

  /** The cached token; undefined when none is set (or not read yet). */
  get current(): string | undefined {
    return this.cached;
  }

  async set(token: string): Promise<void> {
    await this.secrets.store(KEY, token.trim());
    await this.load(); // do not wait for the change event to see the new value
  }

  async clear(): Promise<void> {
    await this.secrets.delete(KEY);
    this.cached = undefined;
  }

  private async load(): Promise<void> {
    const v = await this.secrets.get(KEY).then((x) => x, () => undefined);
    this.cached = v && v.trim() !== '' ? v.trim() : undefined;
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}
