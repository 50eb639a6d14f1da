// Settings snapshots for tests, built by the same reader the extension and the CLI use.
import { readSettingsSnapshot, type SettingsSnapshot } from '../../src/core/settings';

/** Keys without the `tandem.` prefix; undefined values count as unset. */
export function snapshotOf(user: Record<string, unknown>, workspace: Record<string, unknown> = {}, trusted = true): SettingsSnapshot {
  return readSettingsSnapshot({ user: (k) => user[k], workspace: (k) => workspace[k], trusted });
}
