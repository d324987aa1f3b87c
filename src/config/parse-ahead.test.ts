import { expect, test } from 'bun:test';
import defaultConfigText from '../../gateway.config.yaml' with { type: 'text' };
import { embeddedConfigAhead } from './embedded-ahead.ts';
import { ConfigError, parseAhead, parseConfig } from './load.ts';

const envs: Record<string, Record<string, string | undefined>> = {
  'no provider keys': {},
  'an OpenAI key': { OPENAI_API_KEY: 'test-openai' },
  'every key and base URL': { OPENAI_API_KEY: 'a', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', ANTHROPIC_API_KEY: 'b', GEMINI_API_KEY: 'c', AWS_ACCESS_KEY_ID: 'd', AWS_SECRET_ACCESS_KEY: 'e', AWS_REGION: 'eu-west-1' },
  'half the Bedrock credentials': { AWS_ACCESS_KEY_ID: 'd' },
};

for (const [name, env] of Object.entries(envs)) {
  test(`the embedded defaults parsed ahead equal the parsed YAML: ${name}`, () => {
    expect(parseAhead(embeddedConfigAhead(), env)).toEqual(parseConfig(defaultConfigText, '<embedded gateway.config.yaml>', env));
  });
}

test('a value the schema refuses is left to the YAML path, which names its line', () => {
  const env = { OPENAI_API_KEY: 'a', OPENAI_BASE_URL: 'not a url' };
  expect(parseAhead(embeddedConfigAhead(), env)).toBeUndefined();
  expect(() => parseConfig(defaultConfigText, 'embedded', env)).toThrow(ConfigError);
});
