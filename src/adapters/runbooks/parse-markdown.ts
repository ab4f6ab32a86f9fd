/**
 * Reads one runbook file: its YAML front matter and its `firebreak <kind>` code blocks, as
 * markdown-it and the yaml package read them, into the Runbook of core/runbook/model.ts. Each
 * block's title is the nearest heading above it and its explanation the prose in between. Every
 * problem names the line of the field at fault (yaml's node ranges, offset by where the front
 * matter or the block starts). Whatever the file holds, this returns problems; it does not throw.
 */
import MarkdownIt, { type Token } from 'markdown-it';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { configErrorMap, keysAt } from '../../config-problems.js';
import { shown } from '../../core/found-value.js';
import {
  actionStepSchema,
  diagCheckSchema,
  frontMatterSchema,
  httpCheckSchema,
  manualStepSchema,
  notifyStepSchema,
  promqlCheckSchema,
  sqlCheckSchema,
  STEP_KINDS,
  type Runbook,
  type Step,
  type StepKind,
} from '../../core/runbook/model.js';
import { didYouMean } from '../../core/runbook/suggest.js';
import { stepPath, type RunbookProblem, type SourceLines } from '../../core/runbook/validate.js';

/** A runbook is a document people read: past this size it is something else, and is not parsed. */
export const LARGEST_RUNBOOK = 512 * 1024;
/** Slack's limit on a header, which a step's title may become. */
const LONGEST_TITLE = 150;

export interface ParsedRunbook {
  /** Set when the front matter is valid; its steps are those whose blocks are valid. */
  runbook: Runbook | undefined;
  lines: SourceLines;
  /** Ids of the steps whose blocks were refused (their problems are in `problems`). */
  brokenStepIds: string[];
  problems: RunbookProblem[];
}

/** The check schemas, by the key that says which one a check is. */
const CHECK_SCHEMAS = { diag: diagCheckSchema, sql: sqlCheckSchema, promql: promqlCheckSchema, http: httpCheckSchema } as const;
type CheckType = keyof typeof CHECK_SCHEMAS;
const CHECK_TYPES = Object.keys(CHECK_SCHEMAS) as CheckType[];
const STEP_SCHEMAS = { action: actionStepSchema, manual: manualStepSchema, notify: notifyStepSchema } as const;

/** A step as its block says it, before the title, explanation and line around it are added. */
type StepBody = Step extends infer S ? (S extends Step ? Omit<S, 'title' | 'explanation' | 'line'> : never) : never;

const markdown = new MarkdownIt({ html: true });

/** "firebreak check, firebreak action, firebreak manual or firebreak notify" */
const KINDS_WRITTEN = `${STEP_KINDS.slice(0, -1).map((k) => `firebreak ${k}`).join(', ')} or firebreak ${STEP_KINDS.at(-1) as string}`;

/** Parses `source`, the text of `file` (its name relative to the runbooks directory). */
export function parseRunbookMarkdown(file: string, source: string): ParsedRunbook {
  const problems: RunbookProblem[] = [];
  const lines = new Map<string, number>();
  const brokenStepIds: string[] = [];
  const done = (runbook?: Runbook): ParsedRunbook => ({ runbook, lines, brokenStepIds, problems });
  const add = (line: number, field: string, message: string) => problems.push({ file, line, field, message });

  if (source.length > LARGEST_RUNBOOK) {
    add(1, 'file', `${source.length} characters is more than a runbook holds (at most ${LARGEST_RUNBOOK}): split it into several runbooks`);
    return done();
  }
  if (/[\u0000\ufffd]/.test(source) || /[\u0001-\u0008\u000e-\u001f]/.test(source)) {
    const at = source.search(/[\u0000-\u0008\u000e-\u001f\ufffd]/);
    add(lineOfOffset(source, at), 'file', 'not a text file: it holds binary data (a runbook is UTF-8 Markdown)');
    return done();
  }
  const text = source.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n');
  const fileLines = text.split('\n');

  // Front matter: `---` on the first line, up to the next `---` (or `...`).
  let frontMatter: z.output<typeof frontMatterSchema> | undefined;
  let bodyStart = 0;
  if (fileLines[0]?.trimEnd() !== '---') {
    add(1, 'front matter', 'a runbook starts with its front matter: a line "---", then id, title and severity (docs/RUNBOOKS.md), then a line "---"');
  } else {
    const close = fileLines.findIndex((l, i) => i > 0 && (l.trimEnd() === '---' || l.trimEnd() === '...'));
    if (close < 0) {
      add(1, 'front matter', 'the front matter opened on line 1 is never closed: end it with a line "---"');
      return done();
    }
    bodyStart = close + 1;
    const value = readYaml(fileLines.slice(1, close).join('\n'), 1, '', 'front matter', lines, add);
    if (value.ok) {
      if (value.value === undefined || value.value === null) add(1, 'front matter', 'the front matter is empty: it needs at least id, title and severity');
      else if (!isPlainObject(value.value)) add(2, 'front matter', `expected fields like "id: …" and "title: …", got ${shown(value.value)}`);
      else {
        const parsed = frontMatterSchema.safeParse(value.value, { error: configErrorMap, reportInput: true });
        if (parsed.success) frontMatter = parsed.data;
        else for (const p of describeIssues(parsed.error.issues, frontMatterSchema)) add(lineFor(lines, p.path, '', 1), p.field, p.message);
      }
    }
  }

  // The body, with the front matter blanked so that markdown-it's line numbers are the file's.
  const body = fileLines.map((l, i) => (i < bodyStart ? '' : l)).join('\n');
  let tokens: Token[];
  try {
    tokens = markdown.parse(body, {});
  } catch (err) {
    add(bodyStart + 1, 'file', `the Markdown could not be read: ${String((err as Error).message).slice(0, 200)}`);
    return done();
  }

  const steps: Step[] = [];
  let blocks = 0;
  let title: string | undefined;
  /** First line (0-based) of the prose that explains the next block. */
  let boundary = bodyStart;
  let summary: { start: number; end?: number } | undefined;
  const prose = (from: number, to: number) => fileLines.slice(from, to).join('\n').trim();

  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] as Token;
    const map = token.map;
    if (token.type === 'heading_open' && token.level === 0 && map) {
      if (summary && summary.end === undefined) summary.end = map[0];
      if (!summary && token.tag === 'h1') summary = { start: map[1] };
      title = inlineText(tokens[i + 1]);
      boundary = map[1];
      continue;
    }
    if (token.type !== 'fence' || !map) continue;
    const [word = '', ...rest] = token.info.trim().split(/\s+/);
    if (!/^firebreak/i.test(word)) continue;
    const line = map[0] + 1;
    blocks += 1;
    if (summary && summary.end === undefined) summary.end = map[0];
    const explanation = prose(boundary, map[0]);
    boundary = map[1];
    if (token.level > 0) {
      add(line, 'block', 'a firebreak block stands on its own: take it out of the list or quote it is in');
      continue;
    }
    if (word.toLowerCase() !== 'firebreak') {
      add(line, 'kind', `write the kind after a space: "firebreak ${word.slice(9).replace(/^[^a-z]+/i, '') || 'check'}"`);
      continue;
    }
    const kindWord = rest[0];
    if (kindWord === undefined) {
      add(line, 'kind', `a firebreak block names its kind: ${KINDS_WRITTEN}`);
      continue;
    }
    if (!(STEP_KINDS as readonly string[]).includes(kindWord)) {
      add(line, 'kind', `unknown step kind "${kindWord.slice(0, 40)}"${didYouMean(kindWord, STEP_KINDS)}: a step is ${KINDS_WRITTEN}`);
      continue;
    }
    if (rest.length > 1) {
      add(line, 'kind', `nothing follows the kind on the opening line: write "firebreak ${kindWord}" alone (found ${shown(rest.slice(1).join(' '))})`);
      continue;
    }
    if (!closedFence(fileLines, token)) {
      add(line, 'block', `the block opened here is never closed: end it with a line ${token.markup}`);
      continue;
    }
    const heading = (title ?? '').trim();
    const step = readStep(kindWord as StepKind, token.content, line, lines, add, brokenStepIds);
    if (step) steps.push({ ...step, title: clip(heading || step.id, LONGEST_TITLE), explanation, line } as Step);
  }

  if (!frontMatter) return done();
  if (blocks === 0) add(bodyStart + 1, 'steps', 'no firebreak block: a runbook has at least one step, a code block opened with ```firebreak <kind> (check, action, manual or notify)');
  const summaryText = summary ? prose(summary.start, summary.end ?? fileLines.length) : '';
  return done({ ...frontMatter, file, summary: summaryText, steps });
}

type Add = (line: number, field: string, message: string) => void;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const clip = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

/** A heading's text as read (emphasis and code marks dropped). */
function inlineText(token: Token | undefined): string {
  if (!token || token.type !== 'inline') return '';
  const parts = (token.children ?? []).map((c) => (c.type === 'softbreak' || c.type === 'hardbreak' ? ' ' : c.type === 'text' || c.type === 'code_inline' ? c.content : ''));
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** markdown-it runs a fence that is never closed to the end of the document: its last line is then not a closing fence. */
function closedFence(fileLines: readonly string[], token: Token): boolean {
  const [start, end] = token.map as [number, number];
  if (end - start < 2) return false;
  const last = (fileLines[end - 1] ?? '').trim();
  const char = token.markup[0] ?? '`';
  return last.length >= token.markup.length && [...last].every((c) => c === char);
}

type YamlRead = { ok: true; value: unknown } | { ok: false };

/**
 * Parses YAML that starts after line `offset` of the file, recording the line of every field
 * under `prefix` in `lines`. Syntax errors are reported with their line in the file.
 */
function readYaml(text: string, offset: number, prefix: string, field: string, lines: Map<string, number>, add: Add): YamlRead {
  const lineCounter = new LineCounter();
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, strict: true });
  } catch (err) {
    add(offset + 1, field, `not valid YAML: ${String((err as Error).message).split('\n')[0]}`);
    return { ok: false };
  }
  if (doc.errors.length) {
    for (const err of doc.errors) {
      const at = err.linePos?.[0];
      const reason = err.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').replace(/\s+/g, ' ').trim();
      add(offset + (at?.line ?? 1), field, `not valid YAML: ${reason}${at ? ` (column ${at.col})` : ''}`);
    }
    return { ok: false };
  }
  const lineOf = (node: { range?: [number, number, number] | null } | null | undefined): number | undefined => {
    const start = node?.range?.[0];
    return start === undefined ? undefined : offset + lineCounter.linePos(start).line;
  };
  const record = (path: string, line: number | undefined) => {
    if (line !== undefined && !lines.has(path)) lines.set(path, line);
  };
  const walk = (node: unknown, path: string, depth: number) => {
    if (depth > 20) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key === undefined) continue;
        const at = path ? `${path}.${key}` : key;
        record(at, lineOf(pair.key as YamlNode));
        walk(pair.value, at, depth + 1);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const at = `${path}.${i}`;
        record(at, lineOf(item as YamlNode));
        walk(item, at, depth + 1);
      });
    }
  };
  walk(doc.contents, prefix, 0);
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 50 }) };
  } catch (err) {
    add(offset + 1, field, `not valid YAML: ${String((err as Error).message).split('\n')[0]}`);
    return { ok: false };
  }
}

/** The line of `path` (below `prefix`), or of its nearest written parent, else `fallback`. */
function lineFor(lines: ReadonlyMap<string, number>, path: readonly PropertyKey[], prefix: string, fallback: number): number {
  const parts = path.map(String);
  for (let n = parts.length; n >= 0; n -= 1) {
    const key = [prefix, ...parts.slice(0, n)].filter(Boolean).join('.');
    const line = key ? lines.get(key) : undefined;
    if (line !== undefined) return line;
  }
  return fallback;
}

interface Described {
  path: PropertyKey[];
  field: string;
  message: string;
}

/** zod's issues as problems people read: the field, what was expected, and what was found. */
function describeIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): Described[] {
  const out: Described[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(schema, issue.path);
      for (const key of issue.keys) {
        const guess = didYouMean(key, known);
        out.push({ path: [...issue.path, key], field: [...issue.path, key].map(String).join('.'), message: `unknown field "${key.slice(0, 40)}"${guess || (known.length ? `: the fields here are ${known.join(', ')}` : '')}` });
      }
      continue;
    }
    let chosen: z.core.$ZodIssue = issue;
    let path = [...issue.path];
    if (issue.code === 'invalid_union') {
      // The alternative that got furthest says best what was meant.
      const deepest = issue.errors.flat().sort((a, b) => b.path.length - a.path.length)[0];
      if (deepest) {
        chosen = deepest;
        path = [...issue.path, ...deepest.path];
      }
    } else if (issue.code === 'invalid_key') {
      const inner = issue.issues[0];
      if (inner) chosen = inner;
    }
    const input = (chosen as { input?: unknown }).input ?? (issue as { input?: unknown }).input;
    const message = chosen.message === 'Invalid input' ? 'expected one of the forms docs/RUNBOOKS.md shows' : chosen.message;
    const withValue = chosen.code !== 'custom' && issue.code !== 'invalid_key' && input !== undefined && !/\bgot\b/.test(message);
    out.push({ path, field: path.map(String).join('.') || 'front matter', message: `${message}${withValue ? `, got ${shown(input)}` : ''}` });
  }
  return out;
}

/** One block's body checked against its kind's schema, as a step (title and explanation filled by the caller). */
function readStep(kind: StepKind, content: string, line: number, lines: Map<string, number>, add: Add, broken: string[]): StepBody | undefined {
  const prefix = stepPath(line);
  lines.set(prefix, line);
  const read = readYaml(content, line, prefix, 'step', lines, add);
  if (!read.ok) return undefined;
  const value = read.value;
  if (value === undefined || value === null) {
    add(line, 'step', `the block is empty: a ${kind} step has at least an id (docs/RUNBOOKS.md)`);
    return undefined;
  }
  if (!isPlainObject(value)) {
    add(line + 1, 'step', `expected fields like "id: …", got ${shown(value)}`);
    return undefined;
  }
  const refuse = () => {
    if (typeof value.id === 'string') broken.push(value.id);
    return undefined;
  };
  let schema: z.ZodType;
  let checkType: CheckType | undefined;
  if (kind === 'check') {
    const present = CHECK_TYPES.filter((t) => Object.hasOwn(value, t));
    if (present.length !== 1) {
      const message = present.length
        ? `a check runs one of diag, sql, promql or http, not several (found ${present.join(' and ')})`
        : 'a check runs one of diag (a /diag diagnostic), sql, promql or http: none is set';
      add(present.length ? lineFor(lines, [present[1] as string], prefix, line) : line, 'step', message);
      return refuse();
    }
    checkType = present[0] as CheckType;
    schema = CHECK_SCHEMAS[checkType];
  } else schema = STEP_SCHEMAS[kind];

  const parsed = schema.safeParse(value, { error: configErrorMap, reportInput: true });
  if (!parsed.success) {
    for (const p of describeIssues(parsed.error.issues, schema)) add(lineFor(lines, p.path, prefix, line), p.field || 'step', p.message);
    return refuse();
  }
  const { id, when, ...spec } = parsed.data as { id: string; when?: Step['when'] } & Record<string, unknown>;
  const base = { id, ...(when ? { when } : {}) };
  switch (kind) {
    case 'check':
      return { ...base, kind, check: { type: checkType, spec } } as StepBody;
    case 'action': {
      const { action, args, target } = spec as { action: string; args: string[]; target?: string };
      return { ...base, kind, action, args, ...(target === undefined ? {} : { target }) };
    }
    case 'manual': {
      const { instruction, command } = spec as { instruction: string; command?: string };
      return { ...base, kind, instruction, ...(command === undefined ? {} : { command }) };
    }
    case 'notify': {
      const { template, fields } = spec as { template: 'update'; fields: Record<string, string> };
      return { ...base, kind, template, fields };
    }
  }
}
