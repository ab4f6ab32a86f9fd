/** `/runbook list` word by word: which runbooks a filter keeps, and the reply compared whole. */
import { describe, expect, it } from 'vitest';
import { filterRunbooks, listMessage } from '../../../src/core/runbook/catalogue-view.js';
import { runbook } from '../../fixtures/runbook-runs/build.js';

const ZWSP = '\u200B';
const db = runbook({ id: 'db-slow', title: 'Slow database', services: ['postgres', 'orders'], symptoms: ['slow requests'], steps: [] });
const cache = runbook({ id: 'redis-down', title: 'Redis is down', severity: 'P1', services: ['redis'], symptoms: ['cache misses'], steps: [] });
const bare = runbook({ id: 'disk', title: 'Disk *full*', severity: 'P3', services: [], symptoms: [], steps: [] });
const ids = (filter: string) => filterRunbooks([db, cache, bare], filter).map((r) => r.id);

describe('the list filter', () => {
  it('keeps everything for no words, and gives a list of its own', () => {
    const all = [db, cache];
    expect(filterRunbooks(all, '')).toEqual(all);
    expect(filterRunbooks(all, '   \t ')).toEqual(all);
    expect(filterRunbooks(all, '')).not.toBe(all);
  });

  it('keeps a runbook only when every word is in its id, title, services or symptoms, in any case', () => {
    expect(ids('SLOW')).toEqual(['db-slow']);
    expect(ids('orders')).toEqual(['db-slow']);
    expect(ids('misses')).toEqual(['redis-down']);
    expect(ids('disk')).toEqual(['disk']);
    expect(ids('slow redis')).toEqual([]);
    expect(ids('  slow   requests ')).toEqual(['db-slow']);
    expect(ids('down\tredis')).toEqual(['redis-down']);
  });

  it('does not match a word across two fields', () => {
    expect(ids('db-slowslow')).toEqual([]);
    expect(ids('postgresorders')).toEqual([]);
  });
});

describe('the /runbook list reply', () => {
  it('lists each runbook on a line: id, title, severity and services, escaped', () => {
    expect(listMessage([db, bare])).toEqual({
      text: '2 runbooks',
      blocks: [
        { type: 'text', text: '*2 runbooks*. `/runbook show <id>` tells its steps, `/runbook run <id>` starts it.' },
        { type: 'text', text: `\`db-slow\` *Slow database* · P2 · postgres, orders\n\`disk\` *Disk ${ZWSP}*full${ZWSP}** · P3` },
      ],
    });
  });

  it('names the filter, and says when nothing matches', () => {
    expect(listMessage([db, cache], 'redis')).toEqual({
      text: '1 runbook matching "redis"',
      blocks: [
        { type: 'text', text: '*1 runbook* matching "redis". `/runbook show <id>` tells its steps, `/runbook run <id>` starts it.' },
        { type: 'text', text: '`redis-down` *Redis is down* · P1 · redis' },
      ],
    });
    expect(listMessage([db, cache], 'kafka')).toEqual({ text: 'No runbook matching "kafka".', blocks: [{ type: 'text', text: 'No runbook matching "kafka". `/runbook list` shows all 2.' }] });
    expect(listMessage([], 'kafka').text).toBe('No runbook is loaded.');
  });

  it('packs the lines in blocks of at most 2,800 characters, and counts what does not fit', () => {
    const many = Array.from({ length: 60 }, (_, i) => runbook({ id: `rb-${String(i).padStart(2, '0')}`, title: 't'.repeat(140), services: ['s'.repeat(150)], symptoms: [], steps: [] }));
    const m = listMessage(many);
    const packed = m.blocks.slice(1).filter((b): b is { type: 'text'; text: string } => b.type === 'text');
    for (const b of packed) expect(b.text.length).toBeLessThanOrEqual(2800);
    const lines = packed.flatMap((b) => b.text.split('\n'));
    // Each line is whole, in order, and no block could have taken the next line.
    expect(lines.map((l) => l.slice(1, 6))).toEqual(many.slice(0, lines.length).map((r) => r.id));
    for (let i = 0; i + 1 < packed.length; i += 1) expect(packed[i]!.text.length + 1 + packed[i + 1]!.text.split('\n')[0]!.length).toBeGreaterThan(2800);
    // 60 lines of about 320 characters are more than a message's text budget: the rest is counted.
    const hidden = many.length - lines.length;
    expect(hidden).toBeGreaterThan(1);
    expect(m.blocks.at(-1)).toEqual({ type: 'context', items: [`+${hidden} more runbooks not shown.`] });
    const oneMore = listMessage(many.slice(0, lines.length + 1));
    expect(oneMore.blocks.at(-1)).toEqual({ type: 'context', items: ['+1 more runbook not shown.'] });
  });
});
