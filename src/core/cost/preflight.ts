// The most a request can cost, known before it is sent: every input token at the full (uncached)
// rate plus the output cap. OpenAI counts reasoning tokens against max_completion_tokens /
// max_output_tokens, so the cap bounds them too and the estimate is a true ceiling.

import { costMicros } from './costMath';
import type { PriceRow } from '../shared/priceTable';
import { countTokens } from './tokenCount';
import type { UsageRecord } from '../shared/usageRecord';

/** Input as text (counted with the real tokenizer) or as an already-counted number of tokens. */
export type InputSize = { inputText: string } | { inputTokens: number };

export type PreflightRequest = InputSize & {
  model: string;
  /** The generation cap sent with the request. */
  maxOutputTokens: number;
};

export interface PreflightEstimate {
  model: string;
  inputTokens: number;
  maxOutputTokens: number;
  maxCostMicros: number;
}

export function preflightEstimate(req: PreflightRequest, price: PriceRow): PreflightEstimate {
  const inputTokens = inputTokensOf(req);
  const maxOutputTokens = Math.max(0, Math.floor(req.maxOutputTokens));
  const maxCostMicros = costMicros(
    { inputTokens, cachedInputTokens: 0, outputTokens: maxOutputTokens, reasoningTokens: 0 },
    price,
  );
  return { model: req.model, inputTokens, maxOutputTokens, maxCostMicros };
}

/** Micro-dollars: the ceiling a budget check compares against the remaining allowance. */
export function estimateMaxCost(req: PreflightRequest, price: PriceRow): number {
  return preflightEstimate(req, price).maxCostMicros;
}

export type PartialStream = InputSize & {
  model: string;
  /** The text received before the stream ended without its usage chunk. */
  streamedText: string;
  requestId?: string;
};

/**
 * A usage record for a stream that ended before OpenAI sent usage (cancel, network cut). Input is
 * counted in full (it was all sent); output from the text received. Hidden reasoning tokens cannot
 * be seen, so reasoning models are undercounted: the record says 'estimated' so the meter shows it.
 */
export function estimateFromPartial(stream: PartialStream): UsageRecord {
  const record: UsageRecord = {
    model: stream.model,
    inputTokens: inputTokensOf(stream),
    cachedInputTokens: 0,
    outputTokens: countTokens(stream.streamedText),
    reasoningTokens: 0,
    source: 'estimated',
  };
  if (stream.requestId !== undefined) record.requestId = stream.requestId;
  return record;
}

function inputTokensOf(size: InputSize): number {
  if ('inputText' in size) return countTokens(size.inputText);
  return Number.isFinite(size.inputTokens) && size.inputTokens > 0 ? Math.floor(size.inputTokens) : 0;
}
