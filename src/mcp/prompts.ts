/**
 * MCP prompts: ready-made requests a user picks in a chat UI. Each names the green tools it relies
 * on, so the model reads before it proposes anything. Arguments are checked here (prompt arguments
 * are strings): a bad one is an InvalidParams error naming the argument and what would be accepted.
 */
import { ProtocolErrorCode, type GetPromptResult, type Prompt, type Server } from '@modelcontextprotocol/server';
import type { VigilConfig } from '../config/types.js';
import type { StorePorts } from '../db/ports.js';
import type { Redactor } from '../safety/redact.js';
import { incidentUri, incidentView, JSON_MIME } from './resource-records.js';
import { rpcError } from './rpc-error.js';

export interface PromptDeps {
  config: Pick<VigilConfig, 'nodes'>;
  stores: Pick<StorePorts, 'monitor'>;
  redact: Redactor;
}

const PROMPTS: Prompt[] = [
  {
    name: 'triage_node',
    title: 'Triage a node',
    description: 'Find out what is wrong on one node, with read-only tools first.',
    arguments: [{ name: 'node', description: 'a node from vigil.yaml', required: true }],
  },
  {
    name: 'explain_incident',
    title: 'Explain an incident',
    description: 'What happened in one incident and what vigil did about it.',
    arguments: [{ name: 'incident_id', description: 'the incident id (vigil://incidents/{id})', required: true }],
  },
  {
    name: 'weekly_report',
    title: 'Weekly report',
    description: "The last seven days: incidents, vigil's actions, disks filling up, backups.",
    arguments: [],
  },
];

const invalid = (message: string) => rpcError(ProtocolErrorCode.InvalidParams, message);

/** Checks a prompt's arguments: no unknown ones, the required ones present and non-empty. */
function checkArguments(prompt: Prompt, args: Record<string, string>): void {
  const known = (prompt.arguments ?? []).map((a) => a.name);
  for (const key of Object.keys(args)) {
    if (!known.includes(key))
      throw invalid(
        `${key}: not an argument of ${prompt.name} (${known.length ? `it takes ${known.join(', ')}` : 'it takes none'})`,
      );
  }
  for (const a of prompt.arguments ?? []) {
    if (a.required && !args[a.name]?.trim()) throw invalid(`${a.name}: required — ${a.description}`);
  }
}

function triageNode(deps: PromptDeps, node: string): string {
  const names = deps.config.nodes.map((n) => n.name);
  if (!names.includes(node)) {
    const accepted = names.length
      ? `expected one of ${names.join(', ')}`
      : 'no nodes are configured (nodes: in vigil.yaml)';
    throw invalid(`node: ${JSON.stringify(node.slice(0, 100))} is not a configured node; ${accepted}`);
  }
  return [
    `Triage node ${node} with vigil's green (read-only) tools before proposing any change:`,
    `1. get_node_status {"node": "${node}"}: uptime, load, CPU, memory, swap, root filesystem.`,
    `2. get_incidents {"active": true}: incidents open on ${node}; get_autonomy_actions for what vigil already tried.`,
    `3. list_guests and list_tasks: which guests on ${node} are stopped, and failed tasks.`,
    `4. list_storage and forecast_disk {"node": "${node}"}: storage that is full or filling up.`,
    `5. check_service {"node": "${node}"} and read_journal {"node": "${node}"}: failed services and recent errors.`,
    'Then say what is wrong, how sure you are, and which yellow or red tool would fix it — call none without asking me.',
  ].join('\n');
}

async function explainIncident(deps: PromptDeps, raw: string): Promise<GetPromptResult['messages']> {
  if (!/^[1-9][0-9]{0,14}$/.test(raw))
    throw invalid(`incident_id: expected a positive integer such as 12, got ${JSON.stringify(raw.slice(0, 40))}`);
  const incident = await deps.stores.monitor.incident(Number(raw));
  if (!incident) throw invalid(`incident_id: no incident #${raw}; list them with get_incidents`);
  return [
    {
      role: 'user',
      content: {
        type: 'resource',
        resource: {
          uri: incidentUri(incident.id),
          mimeType: JSON_MIME,
          text: JSON.stringify(deps.redact(incidentView(incident)), null, 2),
        },
      },
    },
    {
      role: 'user',
      content: {
        type: 'text',
        text: [
          `Explain incident #${incident.id} (${incident.key}, now ${incident.status}) in plain words, using green tools:`,
          `1. get_autonomy_actions {"incident_key": "${incident.key}"}: each runbook vigil ran, its result and verification.`,
          '2. get_events: what was published around it (opened, remediation, escalation, approvals).',
          '3. get_audit_log: the tool calls behind those actions (decision and outcome).',
          '4. get_incidents: whether it opened before (flapping).',
          'Say what went wrong, what vigil did and whether it worked, and what, if anything, is left for me to do.',
        ].join('\n'),
      },
    },
  ];
}

const WEEKLY = [
  "Write a weekly report of the homelab for the last seven days, using vigil's green tools only:",
  '1. get_cluster_status: the state now (quorum, nodes, guests, what needs attention).',
  '2. get_incidents {"limit": 100}: incidents opened in the week, how long each lasted, which are still open.',
  '3. get_autonomy_actions {"limit": 100}: what vigil did on its own and how often it worked.',
  '4. get_monitor_status: kill switch, autonomy level, pending approvals, runbook success rates.',
  '5. forecast_disk (once per node) and list_backups: disks that will fill up, guests without a recent backup.',
  '6. get_audit_log: red and yellow actions people or assistants ran.',
  'End with three recommendations, most important first.',
].join('\n');

/** Declares the prompts capability on `server` (before it connects) and serves it. */
export function registerPrompts(server: Server, deps: PromptDeps): void {
  server.registerCapabilities({ prompts: { listChanged: false } });
  server.setRequestHandler('prompts/list', async () => ({ prompts: PROMPTS }));
  server.setRequestHandler('prompts/get', async (request): Promise<GetPromptResult> => {
    const { name } = request.params;
    const args = request.params.arguments ?? {};
    const prompt = PROMPTS.find((p) => p.name === name);
    if (!prompt)
      throw invalid(
        `name: no prompt ${JSON.stringify(name.slice(0, 100))}; expected one of ${PROMPTS.map((p) => p.name).join(', ')}`,
      );
    checkArguments(prompt, args);
    const text = (t: string): GetPromptResult['messages'] => [{ role: 'user', content: { type: 'text', text: t } }];
    const messages =
      name === 'triage_node'
        ? text(triageNode(deps, args.node!))
        : name === 'explain_incident'
          ? await explainIncident(deps, args.incident_id!)
          : text(WEEKLY);
    return { description: prompt.description, messages };
  });
}
