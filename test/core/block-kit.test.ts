import { describe, expect, it } from 'vitest';
import { toBlockKit, type SlackBlock } from '../../src/adapters/slack/block-kit.js';
import type { Block, Message } from '../../src/core/render/message.js';
import { messageProblems, SLACK_LIMITS } from '../../src/adapters/local-slack/block-kit-rules.js';
import { propertyRuns } from '../property-runs.js';

/** chat.postMessage: "For best results, limit the number of characters in the text field to 4,000". */
const ADVISED_TEXT = 4000;

/** Deterministic pseudo-random generator, so a failing case can be replayed from its seed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const PIECES = ['a', 'é', '🔥', '&', '<', '>', '*', ' ', '\n', 'x'.repeat(100), '<@U1>', '&amp;'];
function randomText(r: () => number, max: number): string {
  const len = Math.floor(r() * max);
  let out = '';
  while (out.length < len) out += PIECES[Math.floor(r() * PIECES.length)];
  return out;
}

function randomBlock(r: () => number): Block {
  const n = (max: number) => Math.floor(r() * max);
  switch (n(6)) {
    case 0: return { type: 'header', text: randomText(r, 400) };
    case 1: return { type: 'text', text: randomText(r, 8000) };
    case 2: return { type: 'fields', fields: Array.from({ length: n(40) }, () => ({ label: randomText(r, 50), value: randomText(r, 4000) })) };
    case 3: return { type: 'context', items: Array.from({ length: n(30) }, () => randomText(r, 200)) };
    case 4: return { type: 'divider' };
    default: return { type: 'actions', buttons: Array.from({ length: n(60) }, (_, i) => ({ action: `a${i}`.repeat(n(100)), label: randomText(r, 200), value: randomText(r, 5000) })) };
  }
}

/** What Slack would refuse, by Slack's documented limits (test/slack/block-kit-rules.ts), plus the 4,000-character text Slack advises. */
function violations(out: { text: string; blocks: SlackBlock[] }): string[] {
  const v = messageProblems(out.blocks, out.text)?.errors ?? [];
  if (out.text.length > ADVISED_TEXT || out.text.length === 0) v.push(`text ${out.text.length}`);
  return v;
}

describe('toBlockKit', () => {
  it('never produces a message Slack would refuse, whatever the input (500 random messages)', () => {
    for (let seed = 1; seed <= propertyRuns(500); seed++) {
      const r = rng(seed);
      const message: Message = { text: randomText(r, 10_000), blocks: Array.from({ length: Math.floor(r() * 80) }, () => randomBlock(r)) };
      const problems = violations(toBlockKit(message));
      expect(problems, `seed ${seed}`).toEqual([]);
    }
  });

  it('says how many blocks were left out instead of dropping them silently', () => {
    const message: Message = { text: 'many', blocks: Array.from({ length: 70 }, () => ({ type: 'divider' as const })) };
    const out = toBlockKit(message);
    expect(out.blocks).toHaveLength(SLACK_LIMITS.blocksPerMessage);
    expect(out.blocks.at(-1)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '+21 more blocks not shown' }] });
  });

  it('splits 25 fields into sections of at most 10', () => {
    const fields = Array.from({ length: 25 }, (_, i) => ({ label: `L${i}`, value: `v${i}` }));
    const out = toBlockKit({ text: 't', blocks: [{ type: 'fields', fields }] });
    expect(out.blocks.map((b) => (b.fields as unknown[]).length)).toEqual([10, 10, 5]);
  });
});
