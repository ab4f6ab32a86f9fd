import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../commands/index.js';

const schemaPath = new URL('./fixtures/slack-manifest.schema.json', import.meta.url);
const manifest = parse(readFileSync(new URL('../manifest.yml', import.meta.url), 'utf8')) as {
  features: { slash_commands: Array<{ command: string; description: string; usage_hint?: string }> };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean }; socket_mode_enabled: boolean };
};

describe('manifest.yml', () => {
  it("is valid against Slack's official app-manifest schema", () => {
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object;
    const validate = new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check can fail: a command without its slash is rejected', () => {
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object;
    const validate = new Ajv({ strict: false, logger: false }).compile(schema);
    const broken = structuredClone(manifest);
    broken.features.slash_commands[0]!.command = 'incident';
    expect(validate(broken)).toBe(false);
  });

  it('declares exactly the slash commands the code registers, with the same description and usage hint', () => {
    const declared = manifest.features.slash_commands.map((c) => ({ command: c.command, description: c.description, usageHint: c.usage_hint }));
    const registered = COMMANDS.map((m) => ({ command: m.command, description: m.description, usageHint: m.usageHint }));
    expect(declared).toEqual(registered);
  });

  it('enables interactivity and Socket Mode, and asks for the scopes the bot uses', () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining(['commands', 'chat:write', 'channels:manage', 'channels:history', 'pins:write', 'reactions:read', 'files:write']),
    );
    expect((manifest.settings as { event_subscriptions?: { bot_events?: string[] } }).event_subscriptions?.bot_events).toEqual(['reaction_added']);
  });
});
