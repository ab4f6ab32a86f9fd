/**
 * CPU % and memory from a stats answer, the way `docker stats` computes them: the two CPU samples
 * scaled by the online CPUs (or the per-CPU list of cgroup v1), an empty previous sample counted as
 * zero, memory less total_inactive_file (v1) or inactive_file (v2), and the grading of both.
 */
import { describe, expect, it } from 'vitest';
import { cpuPercent, memoryInUse, type ContainerStats } from '../../../src/adapters/targets/docker/probe/index.js';
import { cpuFinding, memoryFinding } from '../../../src/adapters/targets/docker/probe/usage.js';
import { DEFAULT_DOCKER_THRESHOLDS } from '../../../src/adapters/targets/docker/target.js';

const MB = 1024 ** 2;
const sample = (total: number, system: number, online?: number, percpu?: number[]) => ({
  cpu_usage: { total_usage: total, ...(percpu ? { percpu_usage: percpu } : {}) },
  system_cpu_usage: system,
  ...(online !== undefined ? { online_cpus: online } : {}),
});

describe('cpuPercent', () => {
  it('is the container delta over the host delta, times the online CPUs, in %', () => {
    // 0.5 s of CPU in 1 s on a 4-CPU host (4 s of host time): half of one CPU.
    expect(cpuPercent({ cpu_stats: sample(10.5e9, 104e9, 4), precpu_stats: sample(10e9, 100e9, 4) })).toBeCloseTo(50);
    // Two whole CPUs busy: 200 %.
    expect(cpuPercent({ cpu_stats: sample(12e9, 104e9, 4), precpu_stats: sample(10e9, 100e9, 4) })).toBeCloseTo(200);
  });

  it('counts the per-CPU list when online_cpus is absent (older cgroup v1 daemons)', () => {
    const s: ContainerStats = { cpu_stats: sample(11e9, 102e9, undefined, [1, 2]), precpu_stats: sample(10e9, 100e9) };
    expect(cpuPercent(s)).toBeCloseTo(100);
  });

  it('is 0 when nothing moved, or the host time did not; undefined without CPU figures', () => {
    expect(cpuPercent({ cpu_stats: sample(10e9, 100e9, 4), precpu_stats: sample(10e9, 99e9, 4) })).toBe(0);
    expect(cpuPercent({ cpu_stats: sample(11e9, 100e9, 4), precpu_stats: sample(10e9, 100e9, 4) })).toBe(0);
    expect(cpuPercent({ memory_stats: { usage: 1 } })).toBeUndefined();
  });

  it('treats an empty previous sample as zero, as docker stats does with one-shot stats', () => {
    expect(cpuPercent({ cpu_stats: sample(2e9, 400e9, 4), precpu_stats: { cpu_usage: { total_usage: 0 } } })).toBeCloseTo(2);
  });
});

describe('memoryInUse', () => {
  it('leaves out the inactive page cache: total_inactive_file on cgroup v1, inactive_file on v2', () => {
    expect(memoryInUse({ memory_stats: { usage: 300 * MB, stats: { total_inactive_file: 100 * MB, inactive_file: 1 } } })).toBe(200 * MB);
    expect(memoryInUse({ memory_stats: { usage: 300 * MB, stats: { inactive_file: 40 * MB, anon: 260 * MB } } })).toBe(260 * MB);
  });

  it('keeps the usage as it is when the cache figure is missing or not below it; undefined without usage', () => {
    expect(memoryInUse({ memory_stats: { usage: 300 * MB, stats: {} } })).toBe(300 * MB);
    expect(memoryInUse({ memory_stats: { usage: 300 * MB, stats: { inactive_file: 400 * MB } } })).toBe(300 * MB);
    expect(memoryInUse({ memory_stats: {} })).toBeUndefined();
  });
});

describe('grading', () => {
  const th = DEFAULT_DOCKER_THRESHOLDS;

  it('CPU: seed 002 keeps a service under 80 %; critical from 95 %', () => {
    expect(cpuFinding('api', 79.9, th).status).toBe('ok');
    expect(cpuFinding('api', 80, th).status).toBe('warning');
    expect(cpuFinding('api', 95, th)).toMatchObject({ status: 'critical', value: '95 % CPU (as docker stats: 100 % is one CPU)' });
    expect(cpuFinding('api', 3.25, th).value).toBe('3.3 % CPU (as docker stats: 100 % is one CPU)');
  });

  it('memory: under 500 MB by seed 002, critical from 1 GB, and a warning at 90 % of its own limit', () => {
    expect(memoryFinding('api', 499 * MB, undefined, th).status).toBe('ok');
    expect(memoryFinding('api', 500 * MB, undefined, th)).toMatchObject({ status: 'warning', value: '500 MB (no memory limit)' });
    expect(memoryFinding('api', 1024 * MB, undefined, th).status).toBe('critical');
    expect(memoryFinding('api', 100 * MB, 110 * MB, th)).toMatchObject({ status: 'warning', value: '100 MB of its 110 MB limit (91 %)' });
    expect(memoryFinding('api', 100 * MB, 200 * MB, th).status).toBe('ok');
  });
});
