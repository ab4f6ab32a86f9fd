/** A Metrics port that records what it is told, for tests of what reports to it. */
import type { Metrics } from '../../src/ports.js';

export type Recorded = { [K in keyof Metrics]: { method: K; args: Parameters<Metrics[K]> } }[keyof Metrics];

export function recordingMetrics(): Metrics & { told: Recorded[]; of<K extends keyof Metrics>(method: K): Array<Parameters<Metrics[K]>> } {
  const told: Recorded[] = [];
  const record =
    <K extends keyof Metrics>(method: K) =>
    (...args: Parameters<Metrics[K]>) => {
      told.push({ method, args } as Recorded);
    };
  return {
    told,
    of: <K extends keyof Metrics>(method: K) => told.filter((t) => t.method === method).map((t) => t.args as Parameters<Metrics[K]>),
    slackRequest: record('slackRequest'),
    slackRequestRefused: record('slackRequestRefused'),
    slackAck: record('slackAck'),
    slackApiCall: record('slackApiCall'),
    backgroundWork: record('backgroundWork'),
    probe: record('probe'),
    diagnostics: record('diagnostics'),
    reminder: record('reminder'),
    remediation: record('remediation'),
    approvalRefused: record('approvalRefused'),
    storeError: record('storeError'),
  };
}
