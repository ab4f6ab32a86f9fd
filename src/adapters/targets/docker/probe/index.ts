/** Docker diagnostics: the probe, and the pieces its tests and other modules read. */
export { dockerProbe, type DockerProbeOptions } from './probe.js';
export { cpuPercent, memoryInUse, type ContainerStats } from './usage.js';
export { demultiplex, rawLines, readLogs, type LogLine } from './logs.js';
