/** Pieces every target kind's configuration schema uses: names, connection URLs, lists of targets. */
import { z } from 'zod';

/** How commands pick a target: short, no spaces. */
export const targetName = z.string().regex(/^[A-Za-z0-9_.-]{1,63}$/, { message: 'expected a short name: letters, digits, "-", "_" or "."' });

/** A connection URL of one of the schemes (a regex alternative, e.g. "postgres(?:ql)?"). */
export const connectionUrl = (scheme: string) =>
  z.string().regex(new RegExp(`^${scheme}://\\S+$`), { message: `expected a ${scheme}:// URL` });

/** Names must be unique within a kind: they are how commands pick a target. */
const uniqueNames = <T extends { name: string }>(list: T[]) => new Set(list.map((t) => t.name)).size === list.length;

/** The list under `targets.<kind>`: at most 50, unique names, empty by default. */
export const targetList = <T extends z.ZodType<{ name: string }>>(item: T) =>
  z.array(item).max(50, 'at most 50 targets of a kind').refine(uniqueNames, { message: 'target names must be unique within a kind' }).default([]);
