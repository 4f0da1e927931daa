import type { SyncSettings } from '../../db/schema.ts';
import type { DesiredRoster, WarningSink } from '../model.ts';

/**
 * Data-rules step: the platform's own limits, applied to the desired roster after scoping and
 * before matching. The default applies none.
 *
 * The rules module plugs in here: one classroom per child (homeroom first, then the latest
 * `beginDate`, then the lowest `sourcedId`, with the other memberships skipped), one school per
 * educator, at most N classrooms per educator and N contacts per child, and the classroom size
 * warning, each switchable in `sync_settings`. Each rule must report what it drops or changes
 * through `sink`, per record, and drop records with `skipRecord` so that they are never removed.
 */
export function applyDataRules(desired: DesiredRoster, settings: SyncSettings, sink: WarningSink): void {
  void desired;
  void settings;
  void sink;
}
