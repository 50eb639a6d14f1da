// The local backend the settings ask for. One place, so the editor, the CLI and the benchmark
// build exactly the same thing.
import type { TandemSettings } from '../settings';
import type { CompletionBackend } from '../shared/modelBackend';
import { OllamaBackend } from './ollamaBackend';
import { OpenAiCompatibleBackend } from './openAiCompatibleBackend';

export interface LocalBackendOptions {
  fetch?: typeof fetch;
  /** Bearer token for the endpoint; pass it only where localTokenFor allows it. */
  token?: string;
}

export function createLocalBackend(s: TandemSettings, opts: LocalBackendOptions = {}): OllamaBackend | OpenAiCompatibleBackend {
  const { fetch: fetchImpl, token } = opts;
  return s.local.provider === 'ollama'
    ? new OllamaBackend({ host: s.local.endpoint, model: s.local.model, keepAlive: s.local.keepAlive, fetch: fetchImpl, token })
    : new OpenAiCompatibleBackend({ endpoint: s.local.endpoint, model: s.local.model, fetch: fetchImpl, token });
}

export type { CompletionBackend };
