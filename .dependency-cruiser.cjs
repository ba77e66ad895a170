/* global module */
/**
 * vigil's import rules, checked by `npm run lint` (`depcruise src`): every folder of src/ imports
 * only from the layers below it, never from a layer above or a sibling, and nothing imports in a
 * circle. The layers, bottom first (docs/ARCHITECTURE.md §12):
 *
 *   contracts                 shared vocabularies and shapes; imports nothing of vigil's
 *   util, errors              pure helpers; the error classes over the code registry
 *   config                    the zod schema of vigil.yaml, env secrets
 *   db                        SQLite: migrations and one store per table group
 *   clients                   Proxmox, SSH, WoL, HTTP: the only code that talks to the world
 *   realtime                  the event bus and the Socket.IO stream
 *   safety                    the gate, confirmation, redaction
 *   mcp                       tool declarations, the executeTool pipeline, the MCP server
 *   core, logger              one process's assembled runtime (stores, bus, clients, pipeline)
 *   monitor, notify           the autonomous loop; the outbox and its senders
 *   api                       MCP over HTTP, REST, metrics, the dashboard
 *   daemon                    HTTP + outbox worker + monitor, shared by serve and demo
 *   commands                  check, lab, once, demo, ...
 *   cli                       wiring only
 *
 * lab (the simulated homelab) stands beside the stack: it may use contracts, util, errors, config
 * and clients, and only commands and the cli start it.
 */

/** Bottom first; names in one row are siblings and must not import each other either. */
const LAYERS = [
  ['contracts'],
  ['util', 'errors'],
  ['config'],
  ['db'],
  ['clients'],
  ['realtime'],
  ['safety'],
  ['mcp'],
  ['core', 'logger'],
  ['monitor', 'notify'],
  ['api'],
  ['daemon'],
  ['commands'],
  ['cli'],
];

/** A path regex for the modules of `names`: the folder src/NAME/ or the file src/NAME.ts. */
const modulesOf = (names) => `^src/(${names.join('|')})(/|[.]ts$)`;

const layerRules = LAYERS.flatMap((row, i) => {
  const above = LAYERS.slice(i + 1).flat();
  const rules = [];
  if (above.length > 0) {
    rules.push({
      name: `layer-${row.join('+')}-not-upward`,
      comment: `${row.join(', ')} may import only from the layers below it (see the table at the top of this file)`,
      severity: 'error',
      from: { path: modulesOf(row) },
      to: { path: modulesOf(above) },
    });
  }
  for (const name of row) {
    const siblings = row.filter((other) => other !== name);
    if (siblings.length === 0) continue;
    rules.push({
      name: `layer-${name}-not-sideways`,
      comment: `${name} and ${siblings.join(', ')} share a layer and do not import each other`,
      severity: 'error',
      from: { path: modulesOf([name]) },
      to: { path: modulesOf(siblings) },
    });
  }
  return rules;
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import cycle: move the shared part down (often into src/contracts) instead',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'contracts-import-nothing',
      comment: "src/contracts is the bottom layer: it imports nothing of vigil's outside itself",
      severity: 'error',
      from: { path: '^src/contracts/' },
      to: { path: '^src/', pathNot: '^src/contracts/' },
    },
    ...layerRules,
    {
      name: 'lab-beside-the-stack',
      comment: 'the simulated lab uses only contracts, util, errors, config and clients',
      severity: 'error',
      from: { path: '^src/lab/' },
      to: { path: '^src/', pathNot: `${modulesOf(['lab', 'contracts', 'util', 'errors', 'config', 'clients'])}` },
    },
    {
      name: 'lab-started-by-commands-only',
      comment: 'only commands and the cli start the simulated lab',
      severity: 'error',
      from: { path: '^src/', pathNot: modulesOf(['lab', 'commands', 'cli']) },
      to: { path: '^src/lab/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that resolves to nothing',
      severity: 'error',
      // The dashboard's browser modules import by URL (/vendor/...), which only the browser resolves.
      from: { pathNot: '^src/api/dashboard/static/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports count: a type from a higher layer is still an upward dependency.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
