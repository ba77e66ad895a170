/**
 * What `vigil check` tells the operator to do about each failure: pure functions from the error
 * (or probe result) and the config to one remedy line.
 */
import { ProxmoxError, ProxmoxPinMismatchError } from '../clients/proxmox/errors.js';
import { SshError, SshHostKeyError } from '../clients/ssh/index.js';
import type { HttpProbeResult } from '../clients/http-probe.js';
import type { HttpCheckConfig, NodeConfig, VigilConfig } from '../config/types.js';

/** The remedy for a failed Proxmox connection check. */
export function proxmoxRemedy(err: unknown, px: NonNullable<VigilConfig['proxmox']>): string {
  if (!(err instanceof ProxmoxError)) return `is the Proxmox host up, and is proxmox.url (${px.url}) right?`;
  switch (err.kind) {
    case 'tls': {
      if (err instanceof ProxmoxPinMismatchError) {
        return `if the node's certificate was renewed, put this in the config under proxmox.tls: fingerprint: "${err.presented.toUpperCase()}" (compare with "pvenode cert info" on the node first)`;
      }
      return 'set proxmox.tls.fingerprint to the certificate\'s SHA-256 fingerprint ("pvenode cert info" on the node), or proxmox.tls.caFile to a copy of the node\'s /etc/pve/pve-root-ca.pem';
    }
    case 'auth':
      return `check proxmox.tokenId (${px.tokenId}) and proxmox.tokenSecret: the token must exist under Datacenter → Permissions → API Tokens, and its secret is shown only when it is created`;
    case 'permission':
      return `give the token a role on / (e.g. "pveum acl modify / --tokens '${px.tokenId}' --roles PVEAuditor", plus PVEVMUser and PVEPowerMgr where vigil should act); a privilege-separated token needs its own ACL entries`;
    case 'network':
    case 'timeout':
    case 'unreachable':
      return `is the Proxmox host up and reachable from here? pveproxy listens on port 8006; check proxmox.url (${px.url})`;
    default:
      return "Proxmox answered with an error (above); check the Proxmox host's syslog (journalctl -u pveproxy)";
  }
}

/** The remedy for a failed SSH check of `node` (which has ssh settings). */
export function sshRemedy(err: unknown, node: NodeConfig): string {
  const ssh = node.ssh!;
  const where = `${ssh.host}:${ssh.port}`;
  const wake = node.wol ? `; if it is asleep, wake it (wake_node ${node.name})` : '';
  if (!(err instanceof SshError)) return `is ${node.name} up and sshd running on ${where}?`;
  switch (err.code) {
    case 'host_key': {
      return err instanceof SshHostKeyError
        ? `if ${node.name} was reinstalled, put this line under nodes[${node.name}].ssh: hostKeyFingerprint: "${err.presented}" (confirm on the node first: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub)`
        : `compare nodes[${node.name}].ssh.hostKeyFingerprint with "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub" on the node`;
    }
    case 'auth':
      return `add the public key of ${ssh.privateKeyFile ?? "your agent's key"} to ~${ssh.user}/.ssh/authorized_keys on ${node.name}, or fix nodes[${node.name}].ssh.user (${ssh.user})`;
    case 'config':
      return `check nodes[${node.name}].ssh.privateKeyFile (${ssh.privateKeyFile ?? 'none'}): the file must exist, be readable, and its passphrase be right`;
    case 'timeout':
      return `${node.name} accepted the login but uptime did not finish within ${ssh.commandTimeoutSeconds} s: is it overloaded?`;
    default:
      return `is ${node.name} up and sshd running? check nodes[${node.name}].ssh.host and port (${where})${wake}`;
  }
}

/** The remedy for a failed HTTP check. */
export function httpRemedy(r: HttpProbeResult, c: HttpCheckConfig): string {
  const restart = c.node && c.service ? `; vigil can restart it: restart_service ${c.node} ${c.service}` : '';
  if (r.failure === 'tls')
    return `set httpChecks[${c.name}].tls.caFile to the CA that signed the site's certificate (tls.insecure: true only for a lab)`;
  if (r.failure === 'ca_file') return `fix httpChecks[${c.name}].tls.caFile: the file must exist and be readable`;
  if (r.status !== undefined && r.status !== c.expectStatus) {
    return `it answered ${r.status}, expected ${c.expectStatus}: fix the service${restart}, or httpChecks[${c.name}].expectStatus`;
  }
  if (r.bodyMatched === false)
    return `the page does not contain "${c.bodyMatch}": fix the service${restart}, or httpChecks[${c.name}].bodyMatch`;
  if (r.failure === 'timeout')
    return `no answer within ${c.timeoutSeconds} s: is the host up? raise httpChecks[${c.name}].timeoutSeconds if it is only slow`;
  if (r.failure === 'dns') return `check the host name in httpChecks[${c.name}].url`;
  return `is the service up, and are the host and port in httpChecks[${c.name}].url right?${restart}`;
}
