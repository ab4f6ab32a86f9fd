/** What the test API server answers: JSON objects, text, and `Status` objects for errors. */
export type Answer = { status: number; json: unknown } | { status: number; text: string };

export function status(code: number, reason: string, message: string, details?: object): Answer {
  return { status: code, json: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code } };
}

export const notFound = (resource: string, name: string, group = ''): Answer =>
  status(404, 'NotFound', `${resource}${group ? `.${group}` : ''} "${name}" not found`, { name, ...(group ? { group } : {}), kind: resource });

/** 409 Conflict, as the API answers a stale resourceVersion or a failed precondition. */
export const conflict = (resource: string, name: string, why: string): Answer =>
  status(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, { name, kind: resource.split('.')[0] });

export const success = (code = 200): Answer => ({ status: code, json: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code } });
