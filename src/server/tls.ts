import { readFile } from 'node:fs/promises';
import type { KeyObject, X509Certificate } from 'node:crypto';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../config/load.ts';

export interface TlsFiles {
  cert: string;
  key: string;
}

/**
 * Reads `server.tls` (PEM files, relative to the config file) for Bun.serve. Each file is read
 * and parsed here, so an unreadable or malformed file, or a key that does not match the
 * certificate, stops the start with one line naming the file rather than a TLS library error.
 */
export async function loadTls(tls: TlsFiles, configPath?: string): Promise<{ cert: string; key: string }> {
  const base = configPath ? dirname(configPath) : process.cwd();
  const certPath = isAbsolute(tls.cert) ? tls.cert : resolve(base, tls.cert);
  const keyPath = isAbsolute(tls.key) ? tls.key : resolve(base, tls.key);
  // One after the other: with both files missing, the error names the certificate every time.
  const cert = await read(certPath, 'cert');
  const key = await read(keyPath, 'key');
  // Imported here: node:crypto costs every start ~5 ms, and only a TLS start needs it.
  const { X509Certificate, createPrivateKey } = await import('node:crypto');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (e) {
    throw problem(certPath, 'cert', `not a PEM certificate (${reason(e)})`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (e) {
    throw problem(keyPath, 'key', `not a PEM private key (${reason(e)}; an encrypted key is not supported)`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw problem(keyPath, 'key', `this key does not belong to the certificate ${certPath}`);
  return { cert, key };
}

async function read(path: string, field: 'cert' | 'key'): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw problem(path, field, code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : `cannot read the file (${reason(e)})`);
  }
}

function problem(file: string, field: 'cert' | 'key', message: string): ConfigError {
  return new ConfigError([{ file, line: 1, col: 1, path: `server.tls.${field}`, message }]);
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}
