import { describe, expect, test } from 'bun:test';
import { AwsV4Signer } from 'aws4fetch';
import { signBedrockRequest } from './sigv4.ts';

// AWS's documented example credentials (SigV4 test suite).
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const url = `https://bedrock-runtime.us-east-1.amazonaws.com/model/${encodeURIComponent('us.amazon.nova-micro-v1:0')}/converse`;
const body = '{"messages":[{"role":"user","content":[{"text":"Hello"}]}]}';

describe('SigV4', () => {
  test('the signer reproduces AWS test-suite vector get-vanilla', async () => {
    const signer = new AwsV4Signer({ method: 'GET', url: 'https://example.amazonaws.com/', ...credentials, service: 'service', region: 'us-east-1', datetime: '20150830T123600Z' });
    expect(await signer.authHeader()).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  // Expected values computed independently with botocore 1.43 (SigV4Auth(creds, 'bedrock',
  // 'us-east-1') over the same method, URL, body and accept header, clock fixed at 2024-05-01 12:00Z).
  // They also prove the model id's ':' is double-encoded in the canonical path, as AWS requires.
  test('a Bedrock Converse request matches botocore', async () => {
    const headers = await signBedrockRequest({ url, body, credentials, region: 'us-east-1', datetime: '20240501T120000Z', headers: { 'content-type': 'application/json', accept: 'application/json' } });
    expect(headers).toEqual({
      accept: 'application/json',
      'content-type': 'application/json',
      'x-amz-date': '20240501T120000Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-east-1/bedrock/aws4_request, SignedHeaders=accept;host;x-amz-date, Signature=8f8b003450ddf7ac338572b60dd5b96a1f7d59175d74e5bb2af824b4ce59af2a',
    });
  });

  test('a session token is sent and signed (botocore vector)', async () => {
    const headers = await signBedrockRequest({
      url,
      body,
      credentials: { ...credentials, sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' },
      region: 'us-east-1',
      datetime: '20240501T120000Z',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    });
    expect(headers['x-amz-security-token']).toBe('FwoGZXIvYXdzEXAMPLETOKEN');
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-east-1/bedrock/aws4_request, SignedHeaders=accept;host;x-amz-date;x-amz-security-token, Signature=ef9dc5e8bba475b5009b2d0ee9eb1030a5f0823a2f12b406745c464c28fa6867',
    );
  });

  test('the body is part of the signature', async () => {
    const sign = (b: string) => signBedrockRequest({ url, body: b, credentials, region: 'us-east-1', datetime: '20240501T120000Z', headers: {} });
    expect((await sign(body)).authorization).not.toBe((await sign(body + ' ')).authorization);
  });
});
