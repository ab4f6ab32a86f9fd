/**
 * The positional arguments of the Kubernetes actions, parsed with zod: `<ns>/<name>` (a namespace
 * is a DNS-1123 label, a name a DNS-1123 subdomain), node names, replica counts within a bound,
 * revisions, `KEY=VALUE` environment variables, on/off. Every message says what was expected.
 */
import { z } from 'zod';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Kubernetes' rule for environment variable names (IsEnvVarName). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
export const MAX_ENV_VALUE = 1024;

/** An argument as typed, quoted and cut, for messages. */
export const shown = (s: string): string => JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);

export const namespaceName = z
  .string()
  .refine((s) => s.length <= 63 && LABEL.test(s), { error: (i) => `${shown(String(i.input))} is not a valid namespace (lowercase letters, digits and "-", at most 63)` });

export const objectName = (kind: string) =>
  z
    .string()
    .refine((s) => s.length <= 253 && SUBDOMAIN.test(s), { error: (i) => `${shown(String(i.input))} is not a valid ${kind} name (lowercase letters, digits, "-" and ".", at most 253)` });

export interface Ref {
  namespace: string;
  name: string;
}

/** `<ns>/<name>` of a namespaced object. */
export const namespaced = (kind: string) =>
  z.string().transform((s, ctx): Ref => {
    const parts = s.split('/');
    if (parts.length !== 2) {
      ctx.addIssue({ code: 'custom', message: `expected <namespace>/<${kind}>, e.g. shop/api; got ${shown(s)}` });
      return z.NEVER;
    }
    const [namespace = '', name = ''] = parts;
    for (const [schema, value] of [[namespaceName, namespace], [objectName(kind), name]] as const) {
      const r = schema.safeParse(value);
      if (!r.success) {
        ctx.addIssue({ code: 'custom', message: r.error.issues[0]?.message ?? `invalid ${kind}` });
        return z.NEVER;
      }
    }
    return { namespace, name };
  });

/** A whole number from `min` to `max`, the bound said in the message. */
export const wholeNumber = (what: string, min: number, max: number) =>
  z.string().transform((s, ctx) => {
    const n = /^\d{1,9}$/.test(s) ? Number(s) : NaN;
    if (!(n >= min && n <= max)) {
      ctx.addIssue({ code: 'custom', message: `${what} must be a whole number from ${min} to ${max}, got ${shown(s)}` });
      return z.NEVER;
    }
    return n;
  });

export interface EnvVar {
  key: string;
  value: string;
}

export const envAssignment = z.string().transform((s, ctx): EnvVar => {
  const at = s.indexOf('=');
  const key = at < 0 ? s : s.slice(0, at);
  const value = at < 0 ? '' : s.slice(at + 1);
  let problem: string | undefined;
  if (at < 0) problem = `expected KEY=VALUE, e.g. LOG_LEVEL=debug; got ${shown(s)}`;
  else if (!ENV_NAME.test(key)) problem = `${shown(key)} is not a valid environment variable name (letters, digits, "_", "-" or ".", not starting with a digit)`;
  else if (value.length > MAX_ENV_VALUE) problem = `the value of ${key} is ${value.length} characters long; at most ${MAX_ENV_VALUE}`;
  else if (/[\u0000-\u001f\u007f]/.test(value)) problem = `the value of ${key} contains control characters`;
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return { key, value };
});

export const onOff = z.enum(['on', 'off'], { error: (i) => `expected on or off, got ${shown(String(i.input))}` });

/**
 * Positional arguments: their count checked against the usage, then each parsed by its schema
 * (the optional ones last). The first problem is the message.
 */
export function positional<const S extends readonly z.ZodType<unknown, string>[], const O extends readonly z.ZodType<unknown, string>[] = []>(
  usage: string,
  required: S,
  optional?: O,
): z.ZodType<[...{ [K in keyof S]: z.output<S[K]> }, ...{ [K in keyof O]: z.output<O[K]> | undefined }], string[]> {
  const schemas = [...required, ...(optional ?? [])];
  return z.array(z.string()).transform((args, ctx) => {
    if (args.length < required.length || args.length > schemas.length) {
      ctx.addIssue({ code: 'custom', message: `expected ${usage}, got ${args.length} argument${args.length === 1 ? '' : 's'}` });
      return z.NEVER;
    }
    const out: unknown[] = [];
    for (const [i, schema] of schemas.entries()) {
      const arg = args[i];
      if (arg === undefined) {
        out.push(undefined);
        continue;
      }
      const r = schema.safeParse(arg);
      if (!r.success) {
        ctx.addIssue({ code: 'custom', message: r.error.issues[0]?.message ?? `invalid argument ${shown(arg)}` });
        return z.NEVER;
      }
      out.push(r.data);
    }
    return out as never;
  }) as never;
}
