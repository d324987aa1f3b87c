import { AwsV4Signer } from 'aws4fetch';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignInput {
  url: string;
  headers: Record<string, string>;
  body: string;
  credentials: AwsCredentials;
  region: string;
  /** ISO basic format, e.g. 20240501T120000Z; defaults to now. Fixed only in tests. */
  datetime?: string;
}

/**
 * SigV4-signs a POST for the `bedrock` signing name and returns the complete header set to send.
 * The returned headers are exactly what was signed (plus the unsigned content-type), so nothing
 * may be added to them afterwards.
 */
export async function signBedrockRequest(input: SignInput): Promise<Record<string, string>> {
  const signer = new AwsV4Signer({
    method: 'POST',
    url: input.url,
    headers: input.headers,
    body: input.body,
    accessKeyId: input.credentials.accessKeyId,
    secretAccessKey: input.credentials.secretAccessKey,
    sessionToken: input.credentials.sessionToken || undefined,
    service: 'bedrock',
    region: input.region,
    datetime: input.datetime,
  });
  const signed = await signer.sign();
  const out: Record<string, string> = {};
  signed.headers.forEach((value, key) => {
    out[key] = value;
  });
  return out;
}
