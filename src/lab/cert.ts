/**
 * TLS material for the lab's Proxmox API, generated at start with node:crypto alone.
 *
 * Why hand-written DER: node:crypto makes keys and signatures but no X.509 certificates, and the
 * alternatives were an npm dependency (`selfsigned`, which pulls in node-forge) or the openssl
 * binary at run time (not guaranteed on every machine). A certificate is a short, fixed DER
 * structure, so ~100 lines here cost less than either, and `X509Certificate` checks the result.
 *
 * Like a real PVE node, the API certificate is issued by the cluster's own CA (pve-root-ca.pem →
 * pve-ssl.pem): `caPem` is what a client trusts via a CA file, `fingerprint` (SHA-256 of the
 * server certificate, `AA:BB:...`) is what it pins — the value `GET /nodes` shows as ssl_fingerprint.
 */
import { createHash, generateKeyPairSync, sign, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';

/** What `generateLabCertificate` returns. */
export interface LabCertificate {
  /** The lab CA certificate (PEM): trust it with `ca`. */
  caPem: string;
  /** The server certificate (PEM) for 127.0.0.1, ::1 and localhost. */
  certPem: string;
  keyPem: string;
  /** SHA-256 fingerprint of the server certificate, `AA:BB:...`. */
  fingerprint: string;
}

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), len(body.length), body]);
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const explicit = (n: number, inner: Buffer) => tlv(0xa0 + n, inner);
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));

function integer(b: Buffer): Buffer {
  let body = b;
  while (body.length > 1 && body[0] === 0 && (body[1]! & 0x80) === 0) body = body.subarray(1);
  if (body[0]! & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return tlv(0x02, body);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a! + b!];
  for (const v of rest) {
    const chunk = [v & 0x7f];
    for (let x = v >>> 7; x > 0; x >>>= 7) chunk.unshift((x & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const name = (cn: string) => seq(set(seq(oid('2.5.4.10'), utf8('vigil lab'))), set(seq(oid('2.5.4.3'), utf8(cn))));
const ext = (id: string, critical: boolean, value: Buffer) =>
  critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
const keyId = (key: KeyObject) =>
  createHash('sha1')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest();

function certificate(p: {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  signingKey: KeyObject;
  issuerKey: KeyObject;
  ca: boolean;
  notBefore: Date;
  notAfter: Date;
}): Buffer {
  const extensions = [
    ext('2.5.29.19', true, p.ca ? seq(bool(true)) : seq()),
    // keyUsage: keyCertSign + cRLSign for the CA, digitalSignature for the server.
    ext('2.5.29.15', true, p.ca ? bits(Buffer.from([0x06]), 1) : bits(Buffer.from([0x80]), 7)),
    ext('2.5.29.14', false, octets(keyId(p.publicKey))),
    ext('2.5.29.35', false, seq(tlv(0x80, keyId(p.issuerKey)))),
  ];
  if (!p.ca) {
    extensions.push(ext('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))));
    const san = seq(
      tlv(0x82, Buffer.from('localhost')),
      tlv(0x87, Buffer.from([127, 0, 0, 1])),
      tlv(0x87, Buffer.from([...new Array<number>(15).fill(0), 1])),
    );
    extensions.push(ext('2.5.29.17', false, san));
  }
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(randomBytes(16)),
    ECDSA_SHA256,
    name(p.issuer),
    seq(time(p.notBefore), time(p.notAfter)),
    name(p.subject),
    p.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions)),
  );
  return seq(tbs, ECDSA_SHA256, bits(sign('sha256', tbs, p.signingKey)));
}

const pem = (der: Buffer) =>
  `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;

/** Generates a fresh lab CA and a server certificate it signed (EC P-256, valid for ten years). */
export function generateLabCertificate(now: Date = new Date()): LabCertificate {
  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const srv = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const notBefore = new Date(now.getTime() - 86_400_000);
  const notAfter = new Date(now.getTime() + 10 * 365 * 86_400_000);
  const caDer = certificate({
    subject: 'Proxmox Virtual Environment (vigil lab CA)',
    issuer: 'Proxmox Virtual Environment (vigil lab CA)',
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    issuerKey: ca.publicKey,
    ca: true,
    notBefore,
    notAfter,
  });
  const srvDer = certificate({
    subject: 'pve1.lab',
    issuer: 'Proxmox Virtual Environment (vigil lab CA)',
    publicKey: srv.publicKey,
    signingKey: ca.privateKey,
    issuerKey: ca.publicKey,
    ca: false,
    notBefore,
    notAfter,
  });
  const caPem = pem(caDer);
  const certPem = pem(srvDer);
  const x509 = new X509Certificate(certPem);
  if (!x509.verify(new X509Certificate(caPem).publicKey))
    throw new Error('lab certificate does not verify against its CA');
  return {
    caPem,
    certPem,
    keyPem: srv.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    fingerprint: x509.fingerprint256,
  };
}
