// What the refactor command needs from a model: one streamed chat reply. The cloud (openai SDK) and
// the local model (Ollama /api/chat, for privacy mode `localOnly`) both implement it, so the session
// does not care where the code goes; `route` tells the cost ledger which one it was.

import type { UsageRecord } from './usageRecord';
import type { BackendFailure } from './backendFailure';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * How one run ended. `usage` is present whenever the request reached the server (tokens may have
 * been spent), and absent when it never left this machine (connection refused, cancelled first).
 */
export type RefactorRunResult =
  | { kind: 'ok'; text: string; usage: UsageRecord; requestId?: string }
  | { kind: 'error'; error: BackendFailure; partialText: string; usage?: UsageRecord }
  | { kind: 'cancelled'; partialText: string; usage?: UsageRecord };

export interface RefactorBackend {
  readonly route: 'cloud' | 'local';
  readonly model: string;
  /**
   * Streams one reply. Never rejects: every outcome, including cancellation through `signal`, is a
   * RefactorRunResult. `onProgress` gets the number of characters received so far.
   */
  run(messages: readonly ChatMessage[], signal: AbortSignal, onProgress?: (chars: number) => void): Promise<RefactorRunResult>;
}
