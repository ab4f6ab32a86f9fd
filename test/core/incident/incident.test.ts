/** The incident model's helpers: where its messages go, whether it is open, its detection time and its human id. */
import { describe, expect, it } from 'vitest';
import { DETECTION_LOOKBACK_MS, detectionTime, humanId, INCIDENT_STATUSES, incidentHome, isOpen, parseHumanId } from '../../../src/core/incident/incident.js';
import { at, makeIncident } from './fixtures.js';

describe('incidentHome', () => {
  const announcement = { channel: 'C0INCIDENTS', ts: '1795339800.000100' };

  it('is the incident channel when there is one, even with an announcement', () => {
    expect(incidentHome(makeIncident({ channelId: 'C0INC7', announcement }))).toEqual({ channel: 'C0INC7' });
    expect(incidentHome(makeIncident({ channelId: 'C0INC7', announcement: null }))).toEqual({ channel: 'C0INC7' });
  });

  it('is the announcement thread without a channel', () => {
    expect(incidentHome(makeIncident({ channelId: null, announcement }))).toEqual({ channel: 'C0INCIDENTS', threadTs: '1795339800.000100' });
  });

  it('is nowhere without either', () => {
    expect(incidentHome(makeIncident({ channelId: null, announcement: null }))).toBeNull();
  });
});

describe('isOpen', () => {
  it('is true for every status but resolved', () => {
    expect(INCIDENT_STATUSES).toEqual(['investigating', 'identified', 'monitoring', 'resolved']);
    expect(INCIDENT_STATUSES.map((status) => [status, isOpen({ status })])).toEqual([
      ['investigating', true], ['identified', true], ['monitoring', true], ['resolved', false],
    ]);
  });
});

describe('detectionTime', () => {
  const declaredAt = at('2026-11-22T09:30:00Z');

  it('keeps a detection before the declaration, up to a week before', () => {
    const detected = at('2026-11-22T09:12:00Z');
    expect(detectionTime(detected, declaredAt)).toBe(detected);
    expect(DETECTION_LOOKBACK_MS).toBe(604_800_000);
    const weekBefore = new Date(declaredAt.getTime() - DETECTION_LOOKBACK_MS);
    expect(detectionTime(weekBefore, declaredAt)).toBe(weekBefore);
    expect(detectionTime(new Date(weekBefore.getTime() - 1), declaredAt)).toBeNull();
  });

  it('keeps a detection at the declaration itself', () => {
    const same = new Date(declaredAt.getTime());
    expect(detectionTime(same, declaredAt)).toBe(same);
  });

  it('takes a detection after the declaration as the declaration, in a Date of its own', () => {
    const result = detectionTime(new Date(declaredAt.getTime() + 1), declaredAt);
    expect(result).toEqual(declaredAt);
    expect(result).not.toBe(declaredAt);
  });

  it.each([null, undefined, new Date(Number.NaN), '2026-11-22T09:12:00Z', 1_795_339_800_000])('is null for %j', (detected) => {
    expect(detectionTime(detected as Date | null | undefined, declaredAt)).toBeNull();
  });
});

describe('human ids', () => {
  it('writes INC-n', () => {
    expect(humanId({ number: 7 })).toBe('INC-7');
    expect(humanId({ number: 123_456 })).toBe('INC-123456');
  });

  it.each([
    ['INC-7', 7], ['inc-7', 7], ['Inc-42', 42], ['7', 7], ['  INC-7  ', 7], ['INC-007', 7], ['123456789', 123_456_789], ['inc-0', 0],
  ] as const)('reads %j as %i', (text, number) => {
    expect(parseHumanId(text)).toBe(number);
  });

  it.each(['', 'INC-', 'INC7', 'INC-7x', 'x INC-7', 'INC 7', 'INC--7', 'INC-1234567890', '1234567890', '-7', '7.5', 'INC-٣'])('reads %j as nothing', (text) => {
    expect(parseHumanId(text)).toBeNull();
  });
});
