// The local backend the settings ask for. One place, so the editor, the CLI and the benchmark
// build exactly the same thing.
import type { TandemSettings } from '../settings';
import type { CompletionBackend } from '../shared/modelBackend';
import { OllamaBackend } from './ollamaBackend';
import { OpenAiCompatibleBackend } from './openAiCompatibleBackend';

export function createLocalBackend(s: TandemSettings, fetchImpl?: typeof fetch): OllamaBackend | OpenAiCompatibleBackend {
  return s.local.provider === 'ollama'
    ? new OllamaBackend({ host: s.local.endpoint, model: s.local.model, keepAlive: s.local.keepAlive, fetch: fetchImpl })
    : new OpenAiCompatibleBackend({ endpoint: s.local.endpoint, model: s.local.model, fetch: fetchImpl });
}

export type { CompletionBackend };
