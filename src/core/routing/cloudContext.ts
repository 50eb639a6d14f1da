// What every feature that may send to the cloud needs to know about the world, passed in: the
// settings snapshot (with its cloud policy: where the key may go, the effective budget), trust,
// exclusions, the local model's health, the API key, and where spend and egress are recorded. One shape, so the refactor
// service and the inline cloud help ask the same questions the same way.
import type { ModelHealth } from '../shared/modelBackend';
import type { SpendLedger } from '../cost/ledger';
import type { EgressLog } from '../privacy/egressLog';
import type { PathExclusion } from '../privacy/pathExclusion';
import type { SettingsSnapshot } from '../settings';

export interface CloudContext {
  settings: () => SettingsSnapshot;
  trusted: () => boolean;
  workspaceName: () => string;
  isExcluded: (relativePath: string) => PathExclusion;
  localHealth: () => ModelHealth | { kind: 'checking' } | undefined;
  apiKey: () => Promise<string | undefined>;
  ledger: SpendLedger;
  egress: EgressLog;
  now?: () => number;
  /** Where a failure to write a record is reported (it never fails the request itself). */
  log?: (line: string) => void;
}
