import { describe, expect, test } from 'bun:test';
import { heavy, heavyForms, light, longestFamily } from './normalise.ts';
import { canonicalJson } from './version.ts';

describe('normalise', () => {
  test('light: case, models/, Bedrock geo prefixes and :N versions', () => {
    expect(light(' Models/Gemini-2.5-Pro ')).toBe('gemini-2.5-pro');
    expect(light('apac.amazon.nova-pro-v1:0')).toBe('amazon.nova-pro-v1');
    expect(light('global.anthropic.claude-opus-4-6-v1:0')).toBe('global.anthropic.claude-opus-4-6-v1');
    expect(light('us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe('us-gov.anthropic.claude-sonnet-4-5-20250929-v1');
  });

  test('heavy: dates, -vN, -latest and @versions, repeatedly', () => {
    expect(heavy('gpt-4o-2024-08-06')).toBe('gpt-4o');
    expect(heavy('claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5');
    expect(heavy('us.anthropic.claude-3-5-sonnet-20241022-v2:0')).toBe('anthropic.claude-3-5-sonnet');
    expect(heavy('mistral-medium-2508')).toBe('mistral-medium');
    expect(heavy('claude-3-5-haiku-latest')).toBe('claude-3-5-haiku');
    expect(heavy('claude-3-5-haiku@20241022')).toBe('claude-3-5-haiku');
    expect(heavy('text-embedding-3-small')).toBe('text-embedding-3-small');
    expect(heavy('gemini-embedding-001')).toBe('gemini-embedding-001');
  });

  test('heavyForms adds the form without global.', () => {
    expect(heavyForms('global.anthropic.claude-opus-5')).toEqual(['global.anthropic.claude-opus-5', 'anthropic.claude-opus-5']);
    expect(heavyForms('gpt-4o')).toEqual(['gpt-4o']);
  });

  test('longestFamily needs a segment boundary and prefers the longest key', () => {
    const keys = ['gpt-4', 'gpt-4o', 'gpt-4o-mini', 'gemini-2.5-flash', 'gemini-2.5-flash-lite'];
    expect(longestFamily('gpt-4o-mini-tts', keys)).toBe('gpt-4o-mini');
    expect(longestFamily('gpt-4o-audio', keys)).toBe('gpt-4o');
    expect(longestFamily('gpt-4.5', keys)).toBeUndefined();
    expect(longestFamily('gpt-4o', keys)).toBeUndefined(); // equal is not a family match
    expect(longestFamily('gemini-2.5-flash-lite-preview', keys)).toBe('gemini-2.5-flash-lite');
  });

  test('canonicalJson sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"z":1}]},"b":1}');
  });
});
