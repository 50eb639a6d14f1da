// The three completers the benchmark compares, each over the REAL OllamaBackend whose fetch is
// metered (FetchMeter): ours (CompletionEngine), the naive baseline (NaiveEngine: a request per
// keystroke, never aborted, whole answer) and the typical extension (TypicalEngine).
import { OllamaBackend } from '../src/core/backends/ollamaBackend';
import { systemClock } from '../src/core/shared/clock';
import { CompletionEngine, type EngineStats } from '../src/core/completion/completionEngine';
import { engineSettingsFrom, type EngineSettings } from '../src/core/completion/engineSettings';
import { NaiveEngine } from './naiveEngine';
import { readSettings } from '../src/core/settings';
import { FetchMeter } from './measuredFetch';
import type { Completer } from './session';
import { TypicalEngine } from './typicalEngine';

export type CompleterKind = 'ours' | 'naive' | 'typical';

export const MODEL = 'qwen2.5-coder:1.5b-base';

/** The settings a fresh install runs with (package.json defaults), as the extension derives them. */
export function defaultEngineSettings(): EngineSettings {
  return engineSettingsFrom(readSettings(() => undefined));
}

export interface MeteredCompleter {
  completer: Completer;
  meter: FetchMeter;
  backend: OllamaBackend;
  stats?: () => EngineStats;
}

export function makeCompleter(kind: CompleterKind, url: string, settings: EngineSettings = defaultEngineSettings()): MeteredCompleter {
  const meter = new FetchMeter();
  const backend = new OllamaBackend({ host: url, model: MODEL, keepAlive: '30m', fetch: meter.fetch });
  const deps = { backend: () => backend, clock: systemClock, settings: () => settings };
  if (kind === 'ours') {
    const engine = new CompletionEngine(deps);
    return { completer: engine, meter, backend, stats: () => engine.stats };
  }
  return { completer: kind === 'naive' ? new NaiveEngine(deps) : new TypicalEngine(deps), meter, backend };
}
