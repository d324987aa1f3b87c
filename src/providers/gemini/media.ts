import { GatewayError } from '../../lib/errors.ts';
import type { ContentPart } from '../../wire/openai.ts';

export type MediaPart = { inlineData: { mimeType: string; data: string } } | { fileData: { mimeType: string; fileUri: string } };

/**
 * Gemini needs a MIME type with every file reference and will not sniff a URL, so remote images
 * are typed from their extension; an extension we cannot type is a 400 rather than a guess.
 * These are the image formats Gemini accepts.
 */
const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
};

const AUDIO_TYPES: Record<string, string> = { wav: 'audio/wav', mp3: 'audio/mp3' };

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)((?:;[\w.+-]+=[^;,]*)*);base64,([A-Za-z0-9+/=\s]*)$/;

/** A data: URL → inlineData; an http(s) or gs: URL → fileData. */
export function imagePart(url: string, param: string): MediaPart {
  if (url.startsWith('data:')) return inline(url, param);
  if (/^(https?|gs):\/\//i.test(url)) {
    const path = url.split(/[?#]/, 1)[0]!;
    const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
    const mimeType = ext ? IMAGE_TYPES[ext] : undefined;
    if (!mimeType) {
      throw new GatewayError('invalid_request', `Cannot tell the image type of ${url.slice(0, 100)} from its extension (Gemini needs png, jpeg, webp, heic or heif); send it as a data: URL`, { param });
    }
    return { fileData: { mimeType, fileUri: url } };
  }
  throw new GatewayError('invalid_request', 'Image URLs must be data:, http(s): or gs: URLs', { param });
}

/** OpenAI `input_audio` (base64 wav or mp3) → inlineData. */
export function audioPart(part: Extract<ContentPart, { type: 'input_audio' }>, param: string): MediaPart {
  const mimeType = AUDIO_TYPES[part.input_audio.format];
  if (!mimeType) throw new GatewayError('invalid_request', `Audio format '${part.input_audio.format}' is not supported by Gemini (wav, mp3)`, { param: `${param}.input_audio.format` });
  return { inlineData: { mimeType, data: part.input_audio.data } };
}

/** OpenAI `file` parts carry a data: URL in `file_data`; OpenAI file ids mean nothing to Gemini. */
export function filePart(part: Extract<ContentPart, { type: 'file' }>, param: string): MediaPart {
  const data = part.file.file_data;
  if (typeof data === 'string' && data.startsWith('data:')) return inline(data, `${param}.file.file_data`);
  if (part.file.file_id !== undefined) throw new GatewayError('invalid_request', 'OpenAI file ids are not supported by Gemini; send file_data as a data: URL', { param: `${param}.file.file_id` });
  throw new GatewayError('invalid_request', 'file parts need file_data as a base64 data: URL', { param: `${param}.file` });
}

function inline(url: string, param: string): MediaPart {
  const m = DATA_URL.exec(url);
  if (!m) throw new GatewayError('invalid_request', 'Only base64 data: URLs are supported', { param });
  return { inlineData: { mimeType: m[1]!.toLowerCase(), data: m[3]!.replace(/\s+/g, '') } };
}
