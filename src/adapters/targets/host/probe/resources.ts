/**
 * The host's resources, read from what Linux prints and graded: disk and inode use per mount
 * (`df -P -T`, `df -P -T -i`), memory and swap (/proc/meminfo: MemAvailable against MemTotal),
 * and the load average against the number of CPUs (/proc/loadavg, nproc). Pure.
 */
import { grade, type Finding } from '../../../../core/diagnostics/finding.js';
import { formatSize } from '../../../../core/size.js';
import type { HostThresholds } from '../thresholds.js';

export interface Mount {
  filesystem: string;
  type: string;
  /** Blocks of 1024 bytes for space, inodes for inodes. */
  size: number;
  used: number;
  available: number;
  /** df's own Capacity (or IUse%), rounded up as df does. */
  usedPct: number;
  mountedOn: string;
}

/** Read-only images are always full: their use says nothing. */
const IMAGE_TYPES = new Set(['squashfs', 'iso9660', 'udf', 'cramfs', 'erofs']);

/** The mounts of `df -P -T` (or `-i`): filesystems without a size (or without inodes) are left out. */
export function parseDf(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split(/\r?\n/).slice(1)) {
    const m = /^(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(.+)$/.exec(line.trim());
    if (!m) continue;
    const [, filesystem, type, size, used, available, pct, mountedOn] = m as unknown as [string, string, string, string, string, string, string, string];
    if (Number(size) === 0 || IMAGE_TYPES.has(type)) continue;
    out.push({ filesystem, type, size: Number(size), used: Number(used), available: Number(available), usedPct: Number(pct), mountedOn });
  }
  return out;
}

const ADVICE_DISK =
  'Free space on this mount: old logs (journalctl --vacuum-size=500M, /var/log), package caches (apt-get clean), container images (docker system prune), core dumps, old backups; find the largest with `du -xh --max-depth=2 <mount> | sort -h | tail`. If it holds PostgreSQL data, see the pg-disk-full runbook.';
const ADVICE_INODES = 'Many small files fill the inodes: find the directory holding them (`find <mount> -xdev -type f | cut -d/ -f2-3 | sort | uniq -c | sort -n | tail`), often a cache, session files or a mail queue, and clean it.';

/** One finding per mount at or past the warning, or one "ok" finding naming the fullest. */
export function diskFindings(host: string, mounts: Mount[], inodes: boolean, th: HostThresholds): Finding[] {
  const check = inodes ? 'inodes' : 'disk';
  const [warn, crit] = inodes ? [th.inodesWarnPct, th.inodesCritPct] : [th.diskWarnPct, th.diskCritPct];
  const threshold = `warning at ${warn} %, critical at ${crit} %`;
  if (mounts.length === 0) return [{ check, component: host, status: 'unknown', value: 'df listed no mount' }];
  const value = (m: Mount) =>
    inodes
      ? `${m.usedPct} % of inodes used (${m.used} of ${m.size}; ${m.available} free) on ${m.filesystem} (${m.type})`
      : `${m.usedPct} % used (${formatSize(m.used * 1024)} of ${formatSize(m.size * 1024)}; ${formatSize(m.available * 1024)} free) on ${m.filesystem} (${m.type})`;
  const full = mounts.filter((m) => grade(m.usedPct, warn, crit) !== 'ok').sort((a, b) => b.usedPct - a.usedPct);
  if (full.length === 0) {
    const fullest = [...mounts].sort((a, b) => b.usedPct - a.usedPct)[0] as Mount;
    return [{ check, component: host, status: 'ok', value: `${mounts.length} mounts below ${warn} %; the fullest is ${fullest.mountedOn} at ${fullest.usedPct} %`, threshold }];
  }
  return full.map((m) => ({
    check,
    component: `${host}:${m.mountedOn}`,
    status: grade(m.usedPct, warn, crit),
    value: value(m),
    threshold,
    recommendation: (inodes ? ADVICE_INODES : ADVICE_DISK).replace(/<mount>/g, m.mountedOn),
  }));
}

/** /proc/meminfo's fields, in kB. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m) out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

const kb = (n: number) => formatSize(n * 1024);
const pct = (part: number, whole: number) => (whole > 0 ? (part / whole) * 100 : Number.NaN);
const showPct = (n: number) => `${n.toFixed(1)} %`;

export function memoryFindings(host: string, meminfo: Map<string, number>, th: HostThresholds): Finding[] {
  const total = meminfo.get('MemTotal');
  const available = meminfo.get('MemAvailable');
  const out: Finding[] = [];
  if (total === undefined || available === undefined || total === 0) {
    out.push({ check: 'memory', component: host, status: 'unknown', value: '/proc/meminfo has no MemTotal or MemAvailable (a kernel before 3.14?)' });
  } else {
    const used = pct(total - available, total);
    const status = grade(used, th.memoryWarnPct, th.memoryCritPct);
    out.push({
      check: 'memory',
      component: host,
      status,
      value: `${showPct(used)} in use: ${kb(available)} available of ${kb(total)}`,
      threshold: `warning at ${th.memoryWarnPct} %, critical at ${th.memoryCritPct} % (MemTotal − MemAvailable)`,
      ...(status === 'ok'
        ? {}
        : { recommendation: 'Find what holds the memory (`ps aux --sort=-rss | head`), look for a leak (memory growing since its start) and the OOM killer in the kernel log (`journalctl -k | grep -i oom`); restart the leaking service or add memory.' }),
    });
  }
  const swapTotal = meminfo.get('SwapTotal') ?? 0;
  const swapFree = meminfo.get('SwapFree') ?? 0;
  if (swapTotal === 0) {
    out.push({ check: 'swap', component: host, status: 'ok', value: 'no swap configured' });
  } else {
    const used = pct(swapTotal - swapFree, swapTotal);
    const status = grade(used, th.swapWarnPct, th.swapCritPct);
    out.push({
      check: 'swap',
      component: host,
      status,
      value: `${showPct(used)} in use: ${kb(swapTotal - swapFree)} of ${kb(swapTotal)}`,
      threshold: `warning at ${th.swapWarnPct} %, critical at ${th.swapCritPct} %`,
      ...(status === 'ok' ? {} : { recommendation: 'The host has been short of memory: check memory use by process and whether it still swaps (`vmstat 1 5`, columns si and so).' }),
    });
  }
  return out;
}

export interface Load {
  one: number;
  five: number;
  fifteen: number;
}

export function parseLoadavg(text: string): Load | undefined {
  const m = /^(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)/.exec(text.trim());
  return m ? { one: Number(m[1]), five: Number(m[2]), fifteen: Number(m[3]) } : undefined;
}

export function parseCpus(text: string): number | undefined {
  const m = /^\s*(\d+)\s*$/.exec(text);
  return m && Number(m[1]) > 0 ? Number(m[1]) : undefined;
}

/** The 5-minute load per CPU, graded; the 1- and 15-minute ones say which way it goes. */
export function loadFinding(host: string, load: Load | undefined, cpus: number | undefined, th: HostThresholds): Finding {
  if (!load) return { check: 'load', component: host, status: 'unknown', value: '/proc/loadavg could not be read' };
  const averages = `${load.one.toFixed(2)} ${load.five.toFixed(2)} ${load.fifteen.toFixed(2)} (1, 5, 15 min)`;
  if (!cpus) return { check: 'load', component: host, status: 'unknown', value: `load ${averages}; the number of CPUs is unknown` };
  const perCpu = load.five / cpus;
  const status = grade(perCpu, th.loadPerCpuWarn, th.loadPerCpuCrit);
  const trend = load.one > load.fifteen * 1.2 ? ', rising' : load.one < load.fifteen * 0.8 ? ', falling' : '';
  return {
    check: 'load',
    component: host,
    status,
    value: `${perCpu.toFixed(2)} per CPU over 5 min (load ${averages} on ${cpus} CPU${cpus === 1 ? '' : 's'}${trend})`,
    threshold: `warning at ${th.loadPerCpuWarn} per CPU, critical at ${th.loadPerCpuCrit}`,
    ...(status === 'ok'
      ? {}
      : { recommendation: 'Find what keeps the CPUs busy or waiting (`top -o %CPU`, `vmstat 1 5`: a high "wa" column means waiting on disk); a stuck or runaway process, or too little capacity for the traffic.' }),
  };
}
