import { parse } from 'yaml';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { toUtf8, fromUtf8 } from '@smithy/util-utf8';
import { readdirSync, readFileSync } from 'fs';
const dir = '/work/shared/fixtures/bedrock/';
const codec = new EventStreamCodec(toUtf8, fromUtf8);
for (const f of readdirSync(dir).filter(f => f.endsWith('.yaml'))) {
  const doc = parse(readFileSync(dir + f, 'utf8'), { customTags: ['binary'] });
  console.log('=====', f);
  for (const it of doc.interactions) {
    console.log('REQ', it.request.uri, typeof it.request.body === 'string' ? it.request.body.slice(0, 600) : JSON.stringify(it.request.parsed_body ?? it.request.body)?.slice(0,600));
    const r = it.response;
    console.log('RESP', r.status.code, JSON.stringify(r.headers));
    const b = r.body?.string;
    if (b instanceof Uint8Array) {
      let off = 0;
      while (off < b.length) {
        const len = new DataView(b.buffer, b.byteOffset + off).getUint32(0);
        const msg = codec.decode(b.subarray(off, off + len));
        const h = Object.fromEntries(Object.entries(msg.headers).map(([k, v]) => [k, v.value]));
        console.log('  EV', JSON.stringify(h), toUtf8(msg.body).slice(0, 300));
        off += len;
      }
    } else console.log('  BODY', JSON.stringify(r.parsed_body ?? b)?.slice(0, 1500));
  }
}
