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
  /** Bumped by every set, clear and read, so that only the latest one decides `cached`. */
  private generation = 0;
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
    // The new value counts at once; a read still in flight from an earlier change must not undo it.
    this.generation++;
    this.cached = token.trim();
    await this.secrets.store(KEY, token.trim());
  }

  async clear(): Promise<void> {
    this.generation++;
    this.cached = undefined;
    await this.secrets.delete(KEY);
  }

  private async load(): Promise<void> {
    const mine = ++this.generation;
    const v = await this.secrets.get(KEY).then((x) => x, () => undefined);
    if (mine !== this.generation) return; // a newer set, clear or read decides
    this.cached = v && v.trim() !== '' ? v.trim() : undefined;
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}
