// When a streamed completion has enough. Returning true from FimRequest.shouldStop closes the
// connection, so the server stops generating: a single-line suggestion costs one line of tokens,
// not maxTokens, and shows as soon as its line is complete; a block stops at the line that ends it
// (a dedent, the enclosing block's closer, an echo of the code below, a loop) or at the line cap.
//
// The rule reads the stream the way postProcess does (isAnswerComplete), so nothing generated past
// the stop could have been shown, and a leading fence or special token is not mistaken for the
// answer's first line: ```` ```python\nel ```` is a fence and half a line, not a finished line.
import { isAnswerComplete } from './postProcess';

export type StreamShape = { kind: 'singleLine' } | { kind: 'multiLine'; maxLines: number };

/** Where the completion goes: what the rule compares the stream with. */
export interface StreamContext {
  prefix: string;
  suffix: string;
  languageId: string;
}

export function stopRuleFor(shape: StreamShape, at: StreamContext): (textSoFar: string) => boolean {
  const multiline = shape.kind === 'multiLine';
  const maxLines = shape.kind === 'multiLine' ? Math.max(1, shape.maxLines) : 1;
  return (t) => isAnswerComplete(t, { ...at, multiline, maxLines });
}

/**
 * What to ask the server for, beyond the model family's own stop tokens: a closing fence always
 * ends the answer (except in markdown, where fences are content), and a single line needs far fewer
 * tokens than a block (the cap bounds what a model that never writes a newline costs).
 */
export function generationLimitsFor(shape: StreamShape, languageId: string, maxTokens: number): { stop: string[]; maxTokens: number } {
  const stop = languageId === 'markdown' ? [] : ['\n```'];
  return { stop, maxTokens: shape.kind === 'singleLine' ? Math.min(maxTokens, SINGLE_LINE_MAX_TOKENS) : maxTokens };
}

/** A long line is about 120 characters, 40 tokens; the rest covers a fence or a token before it. */
export const SINGLE_LINE_MAX_TOKENS = 64;
