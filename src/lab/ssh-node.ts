/**
 * The lab's simulated nodes over SSH: one ssh2 server per node on 127.0.0.1, each with its own
 * generated host key, accepting one client public key. Commands are answered from the lab state
 * (see ssh-node-commands.ts). A node that is off or booting resets connections, like a host
 * whose sshd is not running.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import ssh2, { type Connection, type ParsedKey } from 'ssh2';
import { sshFingerprint } from '../clients/ssh/errors.js';
import type { Lab, LabExtraServiceFactory } from './lab.js';
import { answerLabCommand } from './ssh-node-commands.js';
import type { LabState } from './state.js';

// ssh2 is CommonJS: Node's ESM loader exposes only the exports it can detect statically, and
// Server and utils are not among them. Reading them off the default export works everywhere.
const { Server, utils } = ssh2;

/** One node's SSH endpoint. */
export interface LabSshEndpoint {
  node: string;
  port: number;
  /** `SHA256:...` of its host key, as vigil's config wants it. */
  hostKeyFingerprint: string;
}

export interface LabSshNodes {
  endpoints: LabSshEndpoint[];
  /** The client key the servers accept (OpenSSH private key PEM, and its public key line). */
  clientKey: { privateKey: string; publicKey: string };
  close(): Promise<void>;
}

export interface LabSshOptions {
  state: LabState;
  /** Public key (OpenSSH line) to accept; default: a key pair generated here. */
  clientPublicKey?: string;
}

function parsed(key: string): ParsedKey {
  const k = utils.parseKey(key);
  if (k instanceof Error) throw k;
  return Array.isArray(k) ? (k[0] as ParsedKey) : k;
}

/**
 * An ed25519 key pair that ssh2 can read back. ssh2 1.17 occasionally generates a key it then
 * rejects as malformed (about 1 in 256; upstream mscdex/ssh2#1513), so draw again until both halves parse.
 */
export function generateUsableKeyPair(comment?: string): { private: string; public: string } {
  for (let attempt = 0; attempt < 32; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519', comment ? { comment } : undefined);
    if (!(utils.parseKey(pair.public) instanceof Error) && !(utils.parseKey(pair.private) instanceof Error))
      return pair;
  }
  throw new Error('could not generate a usable ed25519 key pair');
}

function startNode(
  state: LabState,
  node: string,
  allowed: ParsedKey,
): Promise<{ endpoint: LabSshEndpoint; close(): Promise<void> }> {
  const host = generateUsableKeyPair();
  const hostKeyFingerprint = sshFingerprint(parsed(host.public).getPublicSSH());
  const allowedBlob = allowed.getPublicSSH();
  const sockets = new Set<Socket>();
  const clients = new Set<Connection>();

  const ssh = new Server({ hostKeys: [host.private] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => clients.delete(client));
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
      const blob = ctx.key.data;
      const matches =
        ctx.key.algo === allowed.type && blob.length === allowedBlob.length && timingSafeEqual(blob, allowedBlob);
      if (!matches) return ctx.reject(['publickey']);
      // Without a signature the client only asks whether the key would be accepted.
      if (!ctx.signature) return ctx.accept();
      if (ctx.blob && allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
      return ctx.reject(['publickey']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('exec', (acceptExec, _reject, info) => {
          const stream = acceptExec();
          if (!state.getNode(node)?.online) {
            client.end();
            return;
          }
          const r = answerLabCommand(state, node, info.command);
          if (r.stdout) stream.write(r.stdout);
          if (r.stderr) stream.stderr.write(r.stderr);
          stream.exit(r.exitCode);
          stream.end();
        });
        // Only exec is simulated; a shell, pty or subsystem request is refused.
        session.on('shell', (_a, reject) => reject());
        session.on('pty', (_a, reject) => reject?.());
        session.on('subsystem', (_a, reject) => reject());
      });
    });
  });

  // Our own listener decides per connection: a node that is off resets it before any SSH byte.
  const tcp: NetServer = createServer((socket) => {
    if (!state.getNode(node)?.online) {
      socket.resetAndDestroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    ssh.injectSocket(socket);
  });
  const unsubscribe = state.onChange((e) => {
    if (e.kind === 'node' && e.node === node && !e.online) {
      for (const s of sockets) s.resetAndDestroy();
    }
  });

  return new Promise((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(0, '127.0.0.1', () => {
      const port = (tcp.address() as { port: number }).port;
      resolve({
        endpoint: { node, port, hostKeyFingerprint },
        close: () =>
          new Promise<void>((done) => {
            unsubscribe();
            for (const c of clients) c.end();
            for (const s of sockets) s.destroy();
            tcp.close(() => done());
          }),
      });
    });
  });
}

/** Starts an SSH server for every lab node. */
export async function startLabSshNodes(opts: LabSshOptions): Promise<LabSshNodes> {
  let clientKey: { privateKey: string; publicKey: string };
  if (opts.clientPublicKey) {
    clientKey = { privateKey: '', publicKey: opts.clientPublicKey };
  } else {
    const pair = generateUsableKeyPair('vigil-lab-client');
    clientKey = { privateKey: pair.private, publicKey: pair.public };
  }
  const allowed = parsed(clientKey.publicKey);
  const started: { endpoint: LabSshEndpoint; close(): Promise<void> }[] = [];
  try {
    for (const n of opts.state.listNodes()) started.push(await startNode(opts.state, n.name, allowed));
  } catch (err) {
    await Promise.all(started.map((s) => s.close()));
    throw err;
  }
  return {
    endpoints: started.map((s) => s.endpoint),
    clientKey,
    close: async () => {
      await Promise.all(started.map((s) => s.close()));
    },
  };
}

/** Lab extra service: SSH servers for every node, published through `lab.setNodeInfo` and `lab.sshClientKey`. */
export const labSshService: LabExtraServiceFactory = async (lab: Lab) => {
  const nodes = await startLabSshNodes({ state: lab.state });
  for (const e of nodes.endpoints)
    lab.setNodeInfo(e.node, { sshPort: e.port, hostKeyFingerprint: e.hostKeyFingerprint });
  lab.sshClientKey = nodes.clientKey;
  return { close: () => nodes.close() };
};
