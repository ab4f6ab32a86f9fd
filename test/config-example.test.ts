/**
 * firebreak.example.yml is where people learn the threshold keys: it must show every key each
 * kind accepts, each with a comment saying what it means, at its real default, and nothing else.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { loadConfig } from '../src/config.js';
import { DEFAULT_DOCKER_THRESHOLDS, dockerThresholdsSchema } from '../src/adapters/targets/docker/target.js';
import { DEFAULT_HTTP_THRESHOLDS, httpThresholdsSchema } from '../src/adapters/targets/http/index.js';
import { DEFAULT_KUBE_THRESHOLDS, kubeThresholdsSchema } from '../src/adapters/targets/kubernetes/target.js';
import { DEFAULT_PG_THRESHOLDS, longQueryCrit, pgThresholdsSchema } from '../src/adapters/targets/postgres/thresholds.js';
import { prometheusCheckSchema, SLO_PROMQL_CHECKS } from '../src/adapters/targets/prometheus/index.js';
import { DEFAULT_REDIS_THRESHOLDS, redisThresholdsSchema } from '../src/adapters/targets/redis/thresholds.js';

const EXAMPLE = new URL('../firebreak.example.yml', import.meta.url).pathname;
const text = readFileSync(EXAMPLE, 'utf8');

const loaded = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-example', SLACK_SIGNING_SECRET: 'example-secret', FIREBREAK_CONFIG: EXAMPLE }, '/');
if (!loaded.ok) throw new Error(`the example configuration does not load:\n${loaded.problems.join('\n')}`);
const { targets } = loaded.config;

const keysOf = (schema: z.ZodObject) => Object.keys(schema.shape).sort();
/** Keys written in the example, across every target (or check) of a kind. */
const writtenKeys = (items: ReadonlyArray<object | undefined>) => [...new Set(items.flatMap((i) => Object.keys(i ?? {})))].sort();

/** The example's lines for one kind under `targets:`, up to the next kind or section. */
function sectionOf(kind: string): string[] {
  const lines = text.slice(text.indexOf('\ntargets:\n') + 1).split('\n');
  const start = lines.indexOf(`  ${kind}:`);
  const end = lines.findIndex((l, i) => i > start && /^ {0,2}\S/.test(l));
  return start < 0 ? [] : lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The line of a kind's section that sets `key`. */
const lineOf = (kind: string, key: string) => sectionOf(kind).find((l) => new RegExp(`^\\s*(?:- )?${key}:`).test(l));

const kinds = [
  { kind: 'postgres', schema: pgThresholdsSchema, written: targets.postgres.map((t) => t.thresholds), defaults: { ...DEFAULT_PG_THRESHOLDS, longQueryCritMs: longQueryCrit(DEFAULT_PG_THRESHOLDS) } },
  { kind: 'redis', schema: redisThresholdsSchema, written: targets.redis.map((t) => t.thresholds), defaults: DEFAULT_REDIS_THRESHOLDS },
  { kind: 'kubernetes', schema: kubeThresholdsSchema, written: targets.kubernetes.map((t) => t.thresholds), defaults: DEFAULT_KUBE_THRESHOLDS },
  { kind: 'http', schema: httpThresholdsSchema, written: targets.http.map((t) => t.thresholds), defaults: DEFAULT_HTTP_THRESHOLDS },
  { kind: 'docker', schema: dockerThresholdsSchema, written: targets.docker.map((t) => t.thresholds), defaults: DEFAULT_DOCKER_THRESHOLDS },
];

describe('firebreak.example.yml documents every threshold', () => {
  it('loads', () => {
    expect(targets.postgres.length * targets.redis.length * targets.kubernetes.length * targets.http.length * targets.prometheus.length).toBeGreaterThan(0);
  });

  it.each(kinds)('$kind: shows exactly the keys the schema accepts, each at its default', ({ schema, written, defaults }) => {
    expect(writtenKeys(written)).toEqual(keysOf(schema as unknown as z.ZodObject));
    expect(written[0]).toEqual(defaults);
  });

  it.each(kinds)('$kind: explains each key where it is set', ({ kind, schema }) => {
    const undocumented = keysOf(schema as unknown as z.ZodObject).filter((key) => !/#\s*\S/.test(lineOf(kind, key) ?? ''));
    expect(undocumented).toEqual([]);
  });

  it('prometheus: shows every key of a check, each explained, with durations and sizes in the units PromQL returns', () => {
    const checks = targets.prometheus.flatMap((t) => t.checks);
    expect(writtenKeys(checks)).toEqual(keysOf(prometheusCheckSchema as unknown as z.ZodObject));
    const unexplained = keysOf(prometheusCheckSchema as unknown as z.ZodObject).filter((key) => !sectionOf('prometheus').some((l) => new RegExp(`#\\s*${key}:`).test(l)));
    expect(unexplained).toEqual([]);
    expect(checks.find((c) => c.name === 'p95 latency')).toMatchObject({ warn: 1, crit: 2 });
    expect(checks.find((c) => c.name === 'memory available')).toMatchObject({ warn: 2 * 1024 ** 3, crit: 512 * 1024 ** 2 });
  });

  it("prometheus: carries the playbook's SLO checks exactly as the code defines them", () => {
    const checks = targets.prometheus.flatMap((t) => t.checks);
    for (const slo of SLO_PROMQL_CHECKS) expect(checks.find((c) => c.name === slo.name)).toEqual(slo);
  });
});
