/** What every Redis check reads: the parsed INFO, the CONFIG values INFO lacks, the thresholds. */
import type { Finding } from '../../../../core/diagnostics/finding.js';
import type { RedisInfo } from '../info.js';
import type { RedisThresholds } from '../thresholds.js';

export interface ConfigRead {
  /** CONFIG GET results by parameter name ("save" → "3600 1 300 100"). */
  values: Record<string, string>;
  /** Why CONFIG GET could not be used (renamed, disabled, refused by ACL), when it could not. */
  error?: string;
}

export interface CheckInput {
  /** The target's name, used as the findings' component. */
  target: string;
  info: RedisInfo;
  config: ConfigRead;
  thresholds: RedisThresholds;
  /** Unix seconds on the server's clock (server_time_usec), or ours when the server does not say. */
  nowSeconds: number;
}

/** An "unknown" finding for a check whose INFO fields the server did not report. */
export function notReported(input: CheckInput, check: string, fields: string[]): Finding {
  return {
    check,
    component: input.target,
    status: 'unknown',
    value: `not reported by INFO (${fields.join(', ')})`,
    recommendation: 'This server (version or fork) does not report these fields; check it by hand with redis-cli INFO.',
  };
}

/** A number from CONFIG GET, when it was read and is a number. */
export function configNumber(config: ConfigRead, name: string): number | undefined {
  const raw = config.values[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}
