/** The alert group's severity from its label, and the `alertmanager` section of the configuration. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { levelOfLabel, severityOf } from '../../src/app/alerts/severity.js';
import { checkAlertmanagerPayload } from '../../src/adapters/http/alertmanager-hook.js';
import type { AlertNotification } from '../../src/app/alerts/notification.js';
import { loadConfig, secretsOf } from '../../src/config.js';
import { fakeConfig } from '../fakes/context.js';
import { alertmanagerPayload } from './payloads.js';

const defaults = fakeConfig().alertmanager;

/** A notification of alerts with these severity labels (undefined: no label). */
function notificationOf(severities: Array<string | undefined>, statuses: Array<'firing' | 'resolved'> = []): AlertNotification {
  const payload = alertmanagerPayload({
    alerts: severities.map((s, i) => ({ labels: { alertname: 'A', instance: `i${i}`, ...(s === undefined ? {} : { severity: s }) }, status: statuses[i] ?? 'firing' })),
  });
  const checked = checkAlertmanagerPayload(payload);
  if (!checked.ok) throw new Error(checked.problem);
  return checked.notification;
}

describe('severity mapping', () => {
  it('defaults: critical → P1, warning → P2, anything else or nothing → P3', () => {
    expect(defaults).toEqual({ severityLabel: 'severity', severities: { critical: 'P1', warning: 'P2' }, defaultSeverity: 'P3' });
    expect(defaults.token).toBeUndefined();
    expect(severityOf(notificationOf(['critical']), defaults)).toBe('P1');
    expect(severityOf(notificationOf(['warning', 'warning']), defaults)).toBe('P2');
    expect(severityOf(notificationOf(['info']), defaults)).toBe('P3');
    expect(severityOf(notificationOf([undefined]), defaults)).toBe('P3');
  });

  it('compares label values without regard to case or surrounding spaces', () => {
    expect(levelOfLabel('CRITICAL', defaults)).toBe('P1');
    expect(levelOfLabel(' Warning ', defaults)).toBe('P2');
    expect(levelOfLabel('crit', defaults)).toBeNull();
    expect(levelOfLabel(undefined, defaults)).toBeNull();
  });

  it('alerts of different severities: the most severe firing one wins; resolved ones count only when none fires', () => {
    expect(severityOf(notificationOf(['warning', 'critical', 'info']), defaults)).toBe('P1');
    expect(severityOf(notificationOf(['critical', 'warning'], ['resolved', 'firing']), defaults)).toBe('P2');
    expect(severityOf(notificationOf(['critical', 'warning'], ['resolved', 'resolved']), defaults)).toBe('P1');
    expect(severityOf(notificationOf(['info', undefined]), defaults)).toBe('P3');
  });

  it('the label name, the map and the default come from the configuration', () => {
    const rules = fakeConfig({ alertmanager: { severityLabel: 'priority', severities: { page: 'P0', ticket: 'P2' }, defaultSeverity: 'P1' } }).alertmanager;
    const withPriority = (priority: string) =>
      checkAlertmanagerPayload(alertmanagerPayload({ alerts: [{ labels: { alertname: 'A', priority, severity: 'critical' } }] }));
    const page = withPriority('page');
    const other = withPriority('whatever');
    expect(page.ok && severityOf(page.notification, rules)).toBe('P0');
    // severity=critical means nothing once the label is "priority": the configured default applies.
    expect(other.ok && severityOf(other.notification, rules)).toBe('P1');
  });
});

/** loadConfig over a firebreak.yml holding `yaml`, with these environment variables. */
function load(yaml: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-alerts-config-'));
  try {
    writeFileSync(path.join(dir, 'firebreak.yml'), `incidents:\n  channel: C0INCIDENTS\n${yaml}`);
    return loadConfig({ SLACK_BOT_TOKEN: 'xoxb-cfg', SLACK_SIGNING_SECRET: 'cfg-secret', ...env }, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the alertmanager section', () => {
  const token = 'am-token-0123456789abcdef';

  it('takes the token from the environment, and the logger is given it to scrub', () => {
    const r = load('alertmanager:\n  token: ${ALERTMANAGER_TOKEN}\n', { ALERTMANAGER_TOKEN: token });
    expect(r.ok && r.config.alertmanager.token).toBe(token);
    expect(r.ok && secretsOf(r.config)).toContain(token);
  });

  it('an empty token (an unset ${VAR:-}) leaves the hook off', () => {
    const r = load('alertmanager:\n  token: ${ALERTMANAGER_TOKEN:-}\n');
    expect(r.ok && r.config.alertmanager.token).toBeUndefined();
  });

  it('refuses a short token without showing it, an unknown severity and unknown keys', () => {
    const r = load('alertmanager:\n  token: short-secret\n  severities: { critical: P9 }\n  colour: red\n');
    expect(r.ok).toBe(false);
    const problems = r.ok ? '' : r.problems.join('\n');
    expect(problems).toContain('alertmanager.token');
    expect(problems).toContain('16 to 512 visible ASCII characters');
    expect(problems).not.toContain('short-secret');
    expect(problems).toMatch(/alertmanager\.severities\.critical.*P0, P1, P2, P3/);
    expect(problems).toContain('colour');
  });

  it('refuses a label name Prometheus would not accept', () => {
    const r = load('alertmanager:\n  severityLabel: "my-label"\n');
    expect(r.ok ? '' : r.problems.join('\n')).toMatch(/alertmanager\.severityLabel.*Prometheus label name/);
  });
});
