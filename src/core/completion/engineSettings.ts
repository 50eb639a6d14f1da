// The part of the settings the completion engine reads, in the units it works in.
import type { TandemSettings } from '../settings';
import { charsForTokens } from './promptWindow';

export interface EngineSettings {
  enabled: boolean;
  maxPrefixChars: number;
  maxSuffixChars: number;
  /** Generation cap per request; a single-line request ends earlier, at its first newline. */
  maxTokens: number;
  /** Upper bound on a multi-line suggestion (the shape decision may ask for fewer). */
  maxLines: number;
  temperature: number;
  minDebounceMs: number;
  maxDebounceMs: number;
  /**
   * Prefetch what follows a suggestion: 'onShow' as soon as it is shown and the model is idle (Tab
   * then shows the next one at once), 'onAccept' only once it is accepted, or never.
   */
  speculative: 'onShow' | 'onAccept' | 'off';
}

/** Share of the prompt budget given to the text before the cursor, which predicts the most. */
const PREFIX_SHARE = 0.75;

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = Object.freeze({
  enabled: true,
  maxPrefixChars: 3000,
  maxSuffixChars: 1000,
  maxTokens: 256,
  maxLines: 8,
  temperature: 0.2,
  // The bounds: below ~25 ms every keystroke of a burst would start a request; above
  // ~200 ms the debounce alone eats much of a short pause.
  minDebounceMs: 25,
  maxDebounceMs: 200,
  speculative: 'onShow',
});

export function engineSettingsFrom(s: TandemSettings): EngineSettings {
  // The context window holds the prompt and the answer: the prompt gets what the answer does not.
  const promptChars = Math.max(256, charsForTokens(s.local.contextTokens - s.local.maxTokens));
  return Object.freeze({
    ...DEFAULT_ENGINE_SETTINGS,
    enabled: s.inline.enabled,
    maxPrefixChars: Math.round(promptChars * PREFIX_SHARE),
    maxSuffixChars: Math.round(promptChars * (1 - PREFIX_SHARE)),
    maxTokens: s.local.maxTokens,
    maxLines: s.inline.maxLines,
    temperature: s.local.temperature,
  });
}
