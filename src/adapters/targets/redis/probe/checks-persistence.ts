/** Persistence: RDB snapshots (last save status and age) and the AOF (last write status). */
import type { Finding } from '../../../../core/diagnostics/finding.js';
import { duration, plural } from '../format.js';
import { notReported, type CheckInput } from './input.js';

function rdb(input: CheckInput): Finding {
  const { info, config, thresholds: t } = input;
  const threshold = `critical when the last background save failed; warning when unsaved changes are older than ${duration(t.lastSaveWarnSeconds)}`;
  const base = { check: 'rdb snapshots', component: input.target, threshold };
  if (info.rdb_last_bgsave_status === undefined) return notReported(input, 'rdb snapshots', ['rdb_last_bgsave_status']);
  const age = info.rdb_last_save_time !== undefined ? input.nowSeconds - info.rdb_last_save_time : undefined;
  const changes = info.rdb_changes_since_last_save;
  const evidence = [
    `rdb_last_bgsave_status: ${info.rdb_last_bgsave_status}`,
    age !== undefined ? `last successful save ${duration(age)} ago` : 'last successful save: unknown',
    changes !== undefined ? `changes since: ${changes}` : 'changes since: unknown',
  ];
  if (info.rdb_last_bgsave_status !== 'ok') {
    return {
      ...base, status: 'critical', value: `last background save failed (rdb_last_bgsave_status: ${info.rdb_last_bgsave_status})`, evidence,
      recommendation: 'Read the Redis log for the cause (disk full, permissions on dir, fork failing for lack of memory). With stop-writes-on-bgsave-error yes (the default) Redis refuses writes until a save succeeds.',
    };
  }
  const save = config.values.save;
  if (save === undefined) {
    return { ...base, status: 'unknown', evidence, value: `cannot tell whether snapshots are configured: ${config.error ?? 'CONFIG GET save gave no value'}` };
  }
  if (save.trim() === '') return { ...base, status: 'ok', value: 'disabled (save "")', evidence };
  if (age === undefined || changes === undefined) return notReported(input, 'rdb snapshots', ['rdb_last_save_time', 'rdb_changes_since_last_save']);
  const inProgress = info.rdb_bgsave_in_progress === 1 ? ', a save is in progress' : '';
  const value = `last successful save ${duration(age)} ago, ${plural(changes, 'change')} since${inProgress} (save "${save}")`;
  if (age >= t.lastSaveWarnSeconds && changes > 0) {
    return {
      ...base, status: 'warning', value, evidence,
      recommendation: 'Changes are not being saved: check that the save points in "save" can be met, and the Redis log for failed forks. A restart now would lose these changes.',
    };
  }
  return { ...base, status: 'ok', value, evidence };
}

function aof(input: CheckInput): Finding {
  const { info } = input;
  const base = { check: 'aof', component: input.target, threshold: 'critical when the last AOF write failed; warning when the last rewrite failed' };
  if (info.aof_enabled === undefined) return notReported(input, 'aof', ['aof_enabled']);
  if (info.aof_enabled === 0) return { ...base, status: 'ok', value: 'disabled (appendonly no)' };
  const evidence = [`aof_last_write_status: ${info.aof_last_write_status ?? 'unknown'}`, `aof_last_bgrewrite_status: ${info.aof_last_bgrewrite_status ?? 'unknown'}`];
  if (info.aof_last_write_status !== undefined && info.aof_last_write_status !== 'ok') {
    return {
      ...base, status: 'critical', value: `last AOF write failed (aof_last_write_status: ${info.aof_last_write_status})`, evidence,
      recommendation: 'Redis cannot append to its AOF (disk full or I/O errors, see the Redis log) and refuses writes until it can: free disk space under dir.',
    };
  }
  if (info.aof_last_bgrewrite_status !== undefined && info.aof_last_bgrewrite_status !== 'ok') {
    return {
      ...base, status: 'warning', value: `last AOF rewrite failed (aof_last_bgrewrite_status: ${info.aof_last_bgrewrite_status})`, evidence,
      recommendation: 'The AOF keeps growing until a rewrite succeeds: read the Redis log (disk space, fork failures).',
    };
  }
  return { ...base, status: 'ok', value: 'enabled, last write ok', evidence };
}

export function persistenceFindings(input: CheckInput): Finding[] {
  return [rdb(input), aof(input)];
}
