/**
 * Reads the repository's Dockerfile into stages and instructions, enough for the tests to check
 * what each stage does and to repeat the runtime stage's copies outside Docker.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Instruction {
  keyword: string;
  /** What follows the keyword, continuation lines joined. */
  args: string;
  line: number;
}

export interface Stage {
  /** The image it starts from, with the Dockerfile's ARG defaults put in. */
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface Copy {
  from?: string;
  sources: string[];
  destination: string;
}

export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (!pending && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending && trimmed.startsWith('#')) return; // a comment inside a continued instruction
    const continued = trimmed.endsWith('\\');
    const part = (continued ? trimmed.slice(0, -1) : trimmed).trim();
    pending = pending ? { text: `${pending.text} ${part}`, line: pending.line } : { text: part, line: i + 1 };
    if (continued) return;
    const m = /^(\S+)\s*(.*)$/s.exec(pending.text.trim());
    if (m) instructions.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: pending.line });
    pending = undefined;
  });
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'ARG' && stages.length === 0) {
      const [name, value = ''] = ins.args.split('=');
      args[name!.trim()] = value.trim();
    } else if (ins.keyword === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: cannot read FROM ${ins.args}`);
      const from = m[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args[(a ?? b)!] ?? '');
      stages.push({ from, ...(m[2] ? { name: m[2] } : {}), instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`line ${ins.line}: ${ins.keyword} before any FROM`);
      stage.instructions.push(ins);
    }
  }
  return { args, stages };
}

/** The exec form (`["node", "dist/main.js"]`) of CMD, HEALTHCHECK CMD or RUN, as a list of words. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  const words = JSON.parse(json) as unknown;
  if (!Array.isArray(words) || !words.every((w) => typeof w === 'string')) throw new Error(`not an exec form: ${args}`);
  return words;
}

/** COPY's options, sources and destination (no globbing: the Dockerfile names its paths). */
export function copyOf(ins: Instruction): Copy {
  const words = ins.args.split(/\s+/);
  const options = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = options.find((o) => o.startsWith('--from='))?.slice('--from='.length);
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), destination: paths.at(-1)! };
}

export function readDockerfile(): { args: Record<string, string>; stages: Stage[] } {
  return parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
}

/** Instructions of one keyword in a stage. */
export function instructions(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}
