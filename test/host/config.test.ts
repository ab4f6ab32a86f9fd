/**
 * The Linux hosts in the configuration: firebreak.example.yml shows every key of a host and of its
 * thresholds, each explained, at its default; the private key's path and its passphrase may come
 * from `${VAR}`; the passphrase is among the secrets the logger scrubs; remediation.allow.hosts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_HOST_THRESHOLDS, hostThresholdsSchema } from '../../src/adapters/targets/host/index.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_VERIFY_AFTER_MS, hostTargetSchema } from '../../src/adapters/targets/host/target.js';
import { targetSecrets } from '../../src/adapters/targets/registry.js';

const EXAMPLE = new URL('../../firebreak.example.yml', import.meta.url).pathname;
const text = readFileSync(EXAMPLE, 'utf8');
const SLACK = { SLACK_BOT_TOKEN: 'xoxb-example', SLACK_SIGNING_SECRET: 'example-secret' };

/** The example's lines under `targets:` → `hosts:`, up to the next kind or section. */
function hostsSection(): string[] {
  const lines = text.slice(text.indexOf('\ntargets:\n') + 1).split('\n');
  const start = lines.indexOf('  hosts:');
  const end = lines.findIndex((l, i) => i > start && /^ {0,2}\S/.test(l));
  return start < 0 ? [] : lines.slice(start + 1, end);
}
const lineOf = (key: string) => hostsSection().find((l) => new RegExp(`^\\s*(?:- )?${key}:`).test(l));

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('firebreak.example.yml: targets.hosts', () => {
  const loaded = loadConfig({ ...SLACK, FIREBREAK_CONFIG: EXAMPLE }, '/');
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const [web1] = loaded.config.targets.hosts;

  it('loads, with every threshold at its default and the timeouts at theirs', () => {
    expect(web1).toBeDefined();
    expect(web1!.thresholds).toEqual(DEFAULT_HOST_THRESHOLDS);
    expect(Object.keys(web1!.thresholds!).sort()).toEqual(Object.keys((hostThresholdsSchema as unknown as z.ZodObject).shape).sort());
    expect([web1!.connectTimeout, web1!.commandTimeout, web1!.verifyAfter]).toEqual([DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_VERIFY_AFTER_MS]);
    expect(web1!.units).toEqual([{ name: 'api.service', critical: false }, { name: 'payments.service', critical: true }]);
    expect(loaded.config.remediation.allow.hosts).toEqual(['web1']);
  });

  it('shows and explains every key of a host and of its thresholds', () => {
    const schema = hostTargetSchema as unknown as { shape?: Record<string, unknown>; def?: { in?: { shape: Record<string, unknown> } } };
    const targetKeys = Object.keys(schema.shape ?? schema.def?.in?.shape ?? {});
    expect(targetKeys.length).toBeGreaterThan(10);
    const thresholdKeys = Object.keys((hostThresholdsSchema as unknown as z.ZodObject).shape);
    const shown = [...targetKeys.filter((k) => k !== 'thresholds' && k !== 'name'), ...thresholdKeys];
    expect(shown.filter((k) => !/#\s*\S/.test(lineOf(k) ?? ''))).toEqual([]);
  });

  it('takes the key file and its passphrase from the environment, and scrubs the passphrase from logs', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fb-host-config-'));
    dirs.push(dir);
    const file = path.join(dir, 'firebreak.yml');
    writeFileSync(file, readFileSync(EXAMPLE, 'utf8'));
    const env = { ...SLACK, FIREBREAK_CONFIG: file, FIREBREAK_SSH_KEY: '/run/secrets/web1_key', FIREBREAK_SSH_PASSPHRASE: 'open sesame 42' };
    const withEnv = loadConfig(env, dir);
    if (!withEnv.ok) throw new Error(withEnv.problems.join('\n'));
    expect(withEnv.config.targets.hosts[0]).toMatchObject({ privateKey: '/run/secrets/web1_key', passphrase: 'open sesame 42' });
    expect(targetSecrets(withEnv.config.targets)).toContain('open sesame 42');
    const without = loadConfig({ ...SLACK, FIREBREAK_CONFIG: file }, dir);
    expect(without.ok && without.config.targets.hosts[0]!.passphrase).toBeUndefined();
  });

  it('refuses a host without a pinned key, with the path of the problem', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fb-host-config-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'firebreak.yml'), ['targets:', '  hosts:', '    - { name: web1, host: 10.0.0.5, user: firebreak, privateKey: /k, units: ["api; rm -rf /"] }'].join('\n'));
    const r = loadConfig({ ...SLACK, FIREBREAK_CONFIG: path.join(dir, 'firebreak.yml') }, dir);
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems.join('\n');
    expect(problems).toMatch(/targets\.hosts\.0\.hostKey: required: the host key/);
    expect(problems).toMatch(/targets\.hosts\.0\.units\.0: expected a systemd unit name/);
  });
});
