/**
 * INFO's text ("# Section" headers, "field:value" lines, some values "k=v,k=v") → a typed structure.
 * Every field is optional and a field that does not parse becomes undefined: servers differ by
 * version and fork, and each check says "unknown" for what it lacks instead of failing the probe.
 */
import { z } from 'zod';

const num = z.coerce.number().optional().catch(undefined);
const str = z.string().optional().catch(undefined);

const replicaSchema = z.object({
  ip: z.string().catch('?'),
  port: z.coerce.number().optional().catch(undefined),
  state: z.string().catch('unknown'),
  offset: z.coerce.number().optional().catch(undefined),
  lag: z.coerce.number().optional().catch(undefined),
});

const dbSchema = z.object({
  keys: z.coerce.number().catch(0),
  expires: z.coerce.number().catch(0),
});

export const redisInfoSchema = z.object({
  // Server
  redis_version: str,
  redis_mode: str,
  uptime_in_seconds: num,
  server_time_usec: num,
  // Clients
  connected_clients: num,
  blocked_clients: num,
  maxclients: num,
  // Memory
  used_memory: num,
  used_memory_rss: num,
  used_memory_peak: num,
  maxmemory: num,
  maxmemory_policy: str,
  mem_fragmentation_ratio: num,
  mem_fragmentation_bytes: num,
  // Persistence
  loading: num,
  loading_loaded_perc: num,
  rdb_changes_since_last_save: num,
  rdb_bgsave_in_progress: num,
  rdb_last_save_time: num,
  rdb_last_bgsave_status: str,
  aof_enabled: num,
  aof_rewrite_in_progress: num,
  aof_last_bgrewrite_status: str,
  aof_last_write_status: str,
  // Stats
  rejected_connections: num,
  evicted_keys: num,
  expired_keys: num,
  keyspace_hits: num,
  keyspace_misses: num,
  // Replication
  role: z.enum(['master', 'slave']).optional().catch(undefined),
  connected_slaves: num,
  master_host: str,
  master_port: num,
  master_link_status: str,
  master_last_io_seconds_ago: num,
  master_sync_in_progress: num,
  master_link_down_since_seconds: num,
  slave_repl_offset: num,
  master_repl_offset: num,
  // Composite lines
  replicas: z.array(replicaSchema).catch([]),
  keyspace: z.record(z.string(), dbSchema).catch({}),
  /** errorstat_<PREFIX>:count=N (Redis ≥ 6.2), by prefix: OOM, NOAUTH, … */
  errorstats: z.record(z.string(), z.coerce.number().catch(0)).catch({}),
});

export type RedisInfo = z.infer<typeof redisInfoSchema>;
export type RedisReplica = RedisInfo['replicas'][number];

/** "ip=10.0.0.2,port=6379,state=online" → { ip: '10.0.0.2', port: '6379', state: 'online' }. */
function pairs(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** The raw fields, each value as the server wrote it (fields are unique across sections). */
export function infoFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

export function parseInfo(text: string): RedisInfo {
  const fields = infoFields(text);
  const replicas: Record<string, string>[] = [];
  const keyspace: Record<string, Record<string, string>> = {};
  const errorstats: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (/^slave\d+$/.test(key)) {
      const p = pairs(value);
      // Redis < 2.8 wrote "slave0:10.0.0.2,6379,online"; keep what can be read.
      replicas.push(value.includes('=') ? p : { ip: value.split(',')[0] ?? '?', state: value.split(',')[2] ?? 'unknown' });
    } else if (/^db\d+$/.test(key)) {
      keyspace[key] = pairs(value);
    } else if (key.startsWith('errorstat_')) {
      const count = pairs(value).count;
      if (count !== undefined) errorstats[key.slice('errorstat_'.length)] = count;
    }
  }
  return redisInfoSchema.parse({ ...fields, replicas, keyspace, errorstats });
}
