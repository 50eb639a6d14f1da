// When a streamed completion has enough. Returning true from FimRequest.shouldStop closes the
// connection, so the server stops generating: a single-line suggestion costs one line of tokens,
// not maxTokens, and shows as soon as its line is complete.
//
// Lines are counted the way postProcess counts them (from the start of the raw text), so nothing
// generated past the stop could have been shown: a single-line answer keeps only the text before
// its first newline, so a model that starts with a newline has nothing to show on this line.

export type StreamShape = { kind: 'singleLine' } | { kind: 'multiLine'; maxLines: number };

export function stopRuleFor(shape: StreamShape): (textSoFar: string) => boolean {
  const lines = shape.kind === 'singleLine' ? 1 : Math.max(1, shape.maxLines);
  return (t) => completeLines(t) >= lines;
}

/** Newline-terminated lines in `text`. */
export function completeLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
