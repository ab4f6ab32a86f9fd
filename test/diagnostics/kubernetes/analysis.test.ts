/** The pure parts of the Kubernetes diagnostics: log analysis, quantities, selectors, config. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  analyseLines,
  classifyLine,
  DEFAULT_KUBE_THRESHOLDS,
  isErrorLine,
  isFatalLine,
  kubeThresholdsSchema,
  loadKubeConfig,
  missingReference,
  normaliseMessage,
  parseQuantity,
  selectorString,
  thresholdsOf,
} from '../../../src/adapters/targets/kubernetes/probe/index.js';
import { kubeconfigYaml } from '../../kube/api-server.js';

describe('isErrorLine and isFatalLine', () => {
  it.each([
    '2025-01-01T10:00:00Z ERROR [db] query failed',
    'FATAL could not start',
    'Exception in thread "main" java.lang.NullPointerException',
    'java.lang.IllegalStateException: closed',
    'panic: runtime error: invalid memory address or nil pointer dereference',
    'TypeError: Cannot read properties of undefined',
    'Error: connect ECONNREFUSED 127.0.0.1:5432',
    '{"level":"error","msg":"payment failed"}',
    'time=2025-01-01T10:00:00Z level=error msg="boom"',
    '[error] 31#31: *1 connect() failed (111: Connection refused)',
    'E0312 10:11:12.123456       1 reflector.go:158] failed to list',
    'Traceback (most recent call last):',
  ])('%s is an error line', (line) => {
    expect(isErrorLine(line)).toBe(true);
  });

  it.each(['INFO processed 120 items, 0 errors', 'WARN slow request 2300ms', 'DEBUG error_rate=0.01', 'level=info msg="no error"', 'the error budget is fine'])(
    '%s is not',
    (line) => {
      expect(isErrorLine(line)).toBe(false);
    },
  );

  it('tells fatal lines', () => {
    expect(isFatalLine('FATAL out of memory')).toBe(true);
    expect(isFatalLine('panic: boom')).toBe(true);
    expect(isFatalLine('{"level":"fatal","msg":"x"}')).toBe(true);
    expect(isFatalLine('ERROR not fatal')).toBe(false);
  });
});

describe('classifyLine', () => {
  it.each([
    ['ERROR psycopg2.OperationalError: server closed the connection unexpectedly', 'database'],
    ['ERROR [db] query failed: canceling statement due to statement timeout', 'database'],
    ['ERROR could not connect to database: connection refused', 'database'],
    ['ERROR upstream request timed out after 3000ms', 'timeout'],
    ['ERROR context deadline exceeded', 'timeout'],
    ['FATAL JavaScript heap out of memory', 'memory'],
    ['ERROR container was OOMKilled', 'memory'],
    ['ERROR connect ECONNREFUSED 10.0.5.9:6379', 'connection'],
    ['ERROR host unreachable', 'connection'],
    ['ERROR TypeError: Cannot read properties of undefined', 'other'],
  ])('%s → %s', (line, category) => {
    expect(classifyLine(line)).toBe(category);
  });
});

describe('normaliseMessage', () => {
  it('replaces what varies by placeholders and drops the leading timestamp', () => {
    expect(
      normaliseMessage('2025-03-01T10:00:00.123Z ERROR req 3f2a9c1e-0b7d-4c1e-9a2b-1234567890ab to 10.0.4.21:8080 failed after 5012ms at 2025-03-01T09:59:58Z (trace 0xdeadbeef, span 9f8e7d6c5b4a)'),
    ).toBe('ERROR req <uuid> to <ip> failed after <n>ms at <ts> (trace <hex>, span <hex>)');
  });

  it('makes lines that differ only by ids and numbers equal, and keeps words with digits', () => {
    const a = normaliseMessage('Mar  1 10:00:00 ERROR order 1234 failed for user 42 via http2 on /v1/pay');
    const b = normaliseMessage('Mar 11 10:01:07 ERROR order 98 failed for user 7 via http2 on /v1/pay');
    expect(a).toBe(b);
    expect(a).toBe('ERROR order <n> failed for user <n> via http2 on /v1/pay');
  });
});

describe('analyseLines', () => {
  it('counts errors, fatal lines and categories, and sorts the groups by count then first seen', () => {
    const a = analyseLines([
      'INFO started',
      '',
      'ERROR timeout calling inventory after 3000ms',
      'ERROR order 1 failed',
      'ERROR order 2 failed',
      'ERROR timeout calling inventory after 2000ms',
      'ERROR order 3 failed',
      'FATAL out of memory',
    ]);
    expect(a).toMatchObject({ lines: 7, errors: 6, fatal: 1, byCategory: { database: 0, timeout: 2, memory: 1, connection: 0, other: 3 } });
    expect(a.groups.map((g) => [g.count, g.message])).toEqual([
      [3, 'ERROR order <n> failed'],
      [2, 'ERROR timeout calling inventory after <n>ms'],
      [1, 'FATAL out of memory'],
    ]);
    expect(a.groups[2]).toMatchObject({ fatal: true, category: 'memory' });
  });
});

describe('parseQuantity', () => {
  it.each([
    ['250m', 0.25],
    ['1', 1],
    ['1.5', 1.5],
    ['850123456n', 0.850123456],
    ['512Mi', 512 * 2 ** 20],
    ['419840Ki', 419840 * 1024],
    ['2Gi', 2 * 2 ** 30],
    ['1k', 1000],
    ['1e3', 1000],
  ])('%s = %d', (q, v) => {
    expect(parseQuantity(q)).toBeCloseTo(v, 9);
  });

  it('is NaN for what is not a quantity', () => {
    expect(parseQuantity('lots')).toBeNaN();
    expect(parseQuantity(undefined)).toBeNaN();
    expect(parseQuantity('5Xi')).toBeNaN();
  });
});

describe('selectorString and missingReference', () => {
  it('writes a label selector in query syntax', () => {
    expect(
      selectorString({
        matchLabels: { app: 'api', tier: 'web' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod', 'staging'] },
          { key: 'track', operator: 'NotIn', values: ['canary'] },
          { key: 'owner', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=api,tier=web,env in (prod,staging),track notin (canary),owner,!legacy');
  });

  it('finds the missing ConfigMap or Secret in the kubelet message', () => {
    expect(missingReference('configmap "api-config" not found')).toEqual({ kind: 'ConfigMap', name: 'api-config' });
    expect(missingReference('secret "db-password" not found')).toEqual({ kind: 'Secret', name: 'db-password' });
    expect(missingReference("couldn't find key DATABASE_URL in ConfigMap shop/api-config")).toEqual({ kind: 'ConfigMap', name: 'api-config' });
    expect(missingReference('container has runAsNonRoot and image will run as root')).toBeUndefined();
  });
});

describe('thresholds and kubeconfig', () => {
  const home = process.env['HOME'];
  afterEach(() => {
    process.env['HOME'] = home;
  });

  it('accepts partial thresholds, durations, and refuses unknown keys and bad values', () => {
    expect(kubeThresholdsSchema.parse({})).toEqual({});
    expect(kubeThresholdsSchema.parse({ eventWindowMs: '30m', restartsWarn: 3 })).toEqual({ eventWindowMs: 1_800_000, restartsWarn: 3 });
    expect(kubeThresholdsSchema.safeParse({ restartWarn: 3 }).success).toBe(false);
    expect(kubeThresholdsSchema.safeParse({ restartsWarn: -1 }).success).toBe(false);
    expect(kubeThresholdsSchema.safeParse({ memoryLimitWarn: 1.5 }).success).toBe(false);
    expect(kubeThresholdsSchema.safeParse({ eventWindowMs: 'soon' }).success).toBe(false);
    expect(thresholdsOf({ name: 'x', namespaces: [], thresholds: { restartsWarn: 2, topPods: undefined } })).toEqual({ ...DEFAULT_KUBE_THRESHOLDS, restartsWarn: 2 });
  });

  it('expands a leading ~ in the kubeconfig path and selects the context', () => {
    const dir = mkdtempSync(join(tmpdir(), 'firebreak-home-'));
    try {
      writeFileSync(join(dir, 'kubeconfig'), kubeconfigYaml('http://127.0.0.1:6443', 'http://127.0.0.1:1'));
      process.env['HOME'] = dir;
      const kc = loadKubeConfig({ name: 'x', kubeconfig: '~/kubeconfig', context: 'closed', namespaces: ['shop'] });
      expect(kc.getCurrentContext()).toBe('closed');
      expect(kc.getCurrentCluster()?.server).toBe('http://127.0.0.1:1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
