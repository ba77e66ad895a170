/**
 * The building blocks of the config schema: formats (node names, units, fingerprints, hosts) and
 * field builders whose messages start with "expected ..." so issues.ts can append what it got.
 */
import { z } from 'zod';
import { isSecureUrl } from '../util/secure-url.js';

/** A node name: what Proxmox accepts and what is safe as a label everywhere. */
export const NODE_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9-]*$/;
/**
 * A systemd unit name. The first character may not be "-" so a name can never be read as an
 * option by systemctl, whatever quoting the caller uses.
 */
export const UNIT_RE = /^[a-zA-Z0-9@_.][a-zA-Z0-9@._-]*\.(service|socket|timer|target|mount|path)$/;
/** A bare unit name, to which ".service" is appended. */
export const BARE_UNIT_RE = /^[a-zA-Z0-9@_.][a-zA-Z0-9@._-]*$/;
export const MAC_RE = /^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/;
/** SHA-256 of a certificate as Proxmox shows it: 32 colon-separated hex bytes. */
export const CERT_FINGERPRINT_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){31}$/;
/** SHA-256 of an SSH host key as `ssh-keygen -lf` prints it: unpadded base64 of 32 bytes. */
export const SSH_FINGERPRINT_RE = /^SHA256:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=?$/;
export const TOKEN_ID_RE = /^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+![A-Za-z][A-Za-z0-9._-]*$/;
export const VACUUM_SIZE_RE = /^[0-9]+[KMG]$/;
export const TOOL_NAME_RE = /^[a-z][a-z0-9_]*$/;
/** Host names and IP literals; no whitespace, no leading "-" (never an option to anything). */
export const HOST_RE = /^[A-Za-z0-9_.:[\]%][A-Za-z0-9_.:[\]%-]*$/;

export const MIN_TOKEN_LENGTH = 16;

export const str = (expected: string) => z.string({ error: expected }).min(1, { error: expected });
export const pattern = (re: RegExp, expected: string) => str(expected).regex(re, { error: expected });
export const bool = () => z.boolean({ error: 'expected true or false' });
export const list = <T extends z.ZodType>(item: T) => z.array(item, { error: 'expected a list' });
export const obj = <S extends z.ZodRawShape>(shape: S) =>
  z.strictObject(shape, { error: 'expected a mapping of keys' });

/** An integer in [min, max]; `what` names the unit in the message. */
export function int(min: number, max: number, what = 'a number'): z.ZodNumber {
  const expected = `expected ${what} ${min}–${max}`;
  return z
    .number({ error: expected })
    .min(min, { error: expected })
    .max(max, { error: expected })
    .int({ error: expected });
}

export const port = () => int(1, 65535);
export const seconds = (max: number) => int(1, max, 'a whole number of seconds');
export const absPath = () =>
  str('expected an absolute path without ".."')
    .regex(/^\//, { error: 'expected an absolute path without ".."' })
    .refine((p) => !p.split('/').includes('..'), { error: 'expected an absolute path without ".."' })
    .refine((p) => p.replace(/\/+$/, '') !== '', { error: 'expected a directory below "/", not the filesystem root' });
/**
 * A PostgreSQL connection URL (database.url). Only the scheme is checked here; the connection itself
 * is tried at start. Its password belongs in the environment: postgres://vigil:${env:NAME}@host/db.
 */
export const postgresUrl = () => {
  const expected =
    'expected a postgres:// or postgresql:// URL such as postgres://vigil:${env:VIGIL_DB_PASSWORD}@db.lan:5432/vigil';
  return str(expected).refine((u) => URL.canParse(u) && ['postgres:', 'postgresql:'].includes(new URL(u).protocol), {
    error: expected,
  });
};
export const filePath = () => str('expected a file path').describe('Absolute, ~/..., or relative to this file');
export const httpUrl = (https: boolean) => {
  const expected = https ? 'expected an https:// URL' : 'expected an http:// or https:// URL';
  return str(expected).refine(
    (u) => {
      if (!URL.canParse(u)) return false;
      const p = new URL(u).protocol;
      return https ? p === 'https:' : p === 'https:' || p === 'http:';
    },
    { error: expected },
  );
};
export const secret = (expected: string) => z.string({ error: expected }).min(1, { error: expected });
export const token = () =>
  secret(`expected at least ${MIN_TOKEN_LENGTH} characters (e.g. from "openssl rand -hex 32")`)
    .min(MIN_TOKEN_LENGTH, {
      error: `expected at least ${MIN_TOKEN_LENGTH} characters (e.g. from "openssl rand -hex 32")`,
    })
    .describe('A bearer token: a literal or ${env:NAME}');

/** An https:// URL, or http:// on a loopback host (a local identity provider, the tests). */
export const secureUrl = (expected: string) =>
  str(expected).refine(
    (u) => {
      if (!URL.canParse(u)) return false;
      const url = new URL(u);
      if (url.hash !== '' || url.search !== '') return false;
      return isSecureUrl(url);
    },
    { error: expected },
  );
