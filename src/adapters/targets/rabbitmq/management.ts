/**
 * The RabbitMQ management plugin's HTTP API, read-only: `/api/overview` (version, cluster) and
 * `/api/queues/<vhost>` (every queue of the vhost with its ready and unacknowledged messages,
 * consumers and state), through the probes' bounded GET (the deadline, no redirects, no proxy,
 * answers capped in size). Credentials go in an Authorization header: the management URL's own,
 * else the AMQP URL's (the same user is usual). Its numbers are the plugin's statistics, refreshed
 * by the broker every few seconds (`collect_statistics_interval`, 5 s by default).
 */
import { z } from 'zod';
import type { ProbeContext } from '../../../core/diagnostics/probe.js';
import { boundedGet, displayUrl, type GetResult } from '../shared/bounded-get.js';
import { vhostOf, type RabbitTarget } from './target.js';

export interface ManagementQueue {
  name: string;
  /** Undefined until the broker has emitted the queue's first statistics (a queue just declared). */
  ready?: number | undefined;
  unacked?: number | undefined;
  consumers?: number | undefined;
  /** running, idle, flow, down, crashed, minority… (absent on some versions and fresh queues). */
  state?: string | undefined;
  /** classic, quorum, stream. */
  type?: string | undefined;
}

export type ManagementRead =
  | { ok: true; where: string; version: string | undefined; cluster: string | undefined; queues: ManagementQueue[] }
  | { ok: false; where: string; unreachable: boolean; why: string };

/** The most a queue list may weigh: with the columns asked, some 40,000 queues. */
const MAX_BYTES = 8 * 1024 * 1024;
const COLUMNS = 'name,messages_ready,messages_unacknowledged,consumers,state,type';

const count = z.number().int().nonnegative().optional().catch(undefined);
const queueSchema = z.object({
  name: z.string(),
  messages_ready: count,
  messages_unacknowledged: count,
  consumers: count,
  state: z.string().optional().catch(undefined),
  type: z.string().optional().catch(undefined),
});
const overviewSchema = z.object({
  rabbitmq_version: z.string().optional().catch(undefined),
  management_version: z.string().optional().catch(undefined),
  cluster_name: z.string().optional().catch(undefined),
});

const decoded = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** The management base URL without credentials, and the credentials to send. */
export function managementAccess(target: RabbitTarget): { base: string; authorization: string } | undefined {
  if (!target.management) return undefined;
  const base = new URL(target.management);
  const amqpUrl = (() => {
    try {
      return new URL(target.url);
    } catch {
      return undefined;
    }
  })();
  const own = base.username !== '' || base.password !== '';
  // As amqplib does: no user in the AMQP URL means guest/guest.
  const user = decoded(own ? base.username : amqpUrl?.username || 'guest');
  const password = decoded(own ? base.password : amqpUrl?.username ? amqpUrl.password : 'guest');
  base.username = '';
  base.password = '';
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
  return { base: base.href, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

function refusal(answer: GetResult & { ok: true }, what: string): string {
  if (answer.status === 401) return `the management API refused the credentials (401) for ${what}`;
  if (answer.status === 403) return `the management API refused access (403) to ${what}: the user needs the monitoring (or management) tag`;
  if (answer.status === 404) return `${what} not found (404)`;
  return `HTTP ${answer.status} for ${what}`;
}

function json(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Overview and queue list, in parallel, within the probe's deadline. Never throws. */
export async function readManagement(target: RabbitTarget, ctx: ProbeContext): Promise<ManagementRead | undefined> {
  const access = managementAccess(target);
  if (!access) return undefined;
  const where = displayUrl(access.base).replace(/\/$/, '');
  const vhost = vhostOf(target.url);
  const get = (path: string) =>
    boundedGet(new URL(path, access.base).href, ctx, { maxBytes: MAX_BYTES, accept: 'application/json', request: { method: 'GET', headers: { Authorization: access.authorization } } });
  const [overview, queues] = await Promise.all([get('api/overview'), get(`api/queues/${encodeURIComponent(vhost)}?columns=${COLUMNS}`)]);
  if (!queues.ok) return { ok: false, where, unreachable: queues.unreachable, why: queues.why };
  if (queues.status !== 200) {
    const what = `the queues of vhost "${vhost}"`;
    return { ok: false, where, unreachable: false, why: queues.status === 404 ? `vhost "${vhost}" not found (404)` : refusal(queues, what) };
  }
  const list = z.array(queueSchema).safeParse(json(queues.body));
  if (!list.success) return { ok: false, where, unreachable: false, why: 'the queue list is not the JSON the management API sends (is this URL the management plugin?)' };
  const about = overview.ok && overview.status === 200 ? overviewSchema.safeParse(json(overview.body)) : undefined;
  return {
    ok: true,
    where,
    version: about?.success ? (about.data.rabbitmq_version ?? about.data.management_version) : undefined,
    cluster: about?.success ? about.data.cluster_name : undefined,
    queues: list.data.map((q) => ({ name: q.name, ready: q.messages_ready, unacked: q.messages_unacknowledged, consumers: q.consumers, state: q.state, type: q.type })),
  };
}
