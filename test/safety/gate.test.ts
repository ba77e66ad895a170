// Pins the gate's safety invariants (kill switch, red confirmation, monitor autonomy, protection, list/call agreement) over random inputs.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  gate,
  gateStatic,
  type GateCaller,
  type GatePolicy,
  type GateState,
  type GateTool,
} from '../../src/safety/gate.js';
import {
  AUTONOMY_LEVELS,
  CALLER_KINDS,
  KILL_SWITCH_SCOPES,
  TIERS,
  type AutonomyLevel,
  TOOL_KINDS,
  type ToolTarget,
} from '../../src/contracts/tiers.js';

const NAMES = [
  'start_guest',
  'stop_guest',
  'reboot_node',
  'run_command',
  'list_nodes',
  'set_kill_switch',
  'approve_action',
] as const;
const NODES = ['pve1', 'pve2', 'pve3'] as const;
const GUESTS = [100, 101, 102, 103] as const;

const toolArb: fc.Arbitrary<GateTool> = fc.record(
  {
    name: fc.constantFrom(...NAMES),
    tier: fc.constantFrom(...TIERS),
    kind: fc.constantFrom(...TOOL_KINDS),
    callers: fc.subarray([...CALLER_KINDS]),
  },
  { requiredKeys: ['name', 'tier', 'kind'] },
);

const levelArb = fc.constantFrom(...AUTONOMY_LEVELS);

const callerArb: fc.Arbitrary<GateCaller> = fc.oneof(
  fc.constantFrom<GateCaller>({ kind: 'assistant' }, { kind: 'operator' }),
  fc.record(
    {
      kind: fc.constant('monitor' as const),
      runbook: fc.record({ requiredLevel: levelArb, allowRed: fc.boolean() }),
    },
    { requiredKeys: ['kind'] },
  ),
);

const policyArb: fc.Arbitrary<GatePolicy> = fc.record({
  readOnly: fc.boolean(),
  disabledTools: fc.subarray([...NAMES]),
  protected: fc.record({ nodes: fc.subarray([...NODES]), guests: fc.subarray([...GUESTS]) }),
  dryRun: fc.boolean(),
});

const stateArb: fc.Arbitrary<GateState> = fc.record({
  killSwitch: fc.record({
    active: fc.boolean(),
    scope: fc.constantFrom(...KILL_SWITCH_SCOPES),
    reason: fc.string({ maxLength: 20 }),
  }),
  autonomyLevel: levelArb,
});

const targetArb: fc.Arbitrary<ToolTarget | undefined> = fc.option(
  fc.record(
    { node: fc.constantFrom(...NODES), vmid: fc.constantFrom(...GUESTS), service: fc.constant('nginx.service') },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

const inputArb = fc.record({ tool: toolArb, caller: callerArb, target: targetArb, policy: policyArb, state: stateArb });

type Input = {
  tool: GateTool;
  caller: GateCaller;
  target: ToolTarget | undefined;
  policy: GatePolicy;
  state: GateState;
};

const run = (i: Input) =>
  gate(i.target === undefined ? { tool: i.tool, caller: i.caller, policy: i.policy, state: i.state } : i);
const acting = (t: GateTool) => t.kind === 'infra' && t.tier !== 'green';
const PASSING = ['allow', 'confirm', 'dry_run'];
const RUNS = 300;

/** The protection rule as an operator reads it: a protected guest, or a protected node acted on as a whole. */
function isProtected(target: ToolTarget | undefined, policy: GatePolicy): boolean {
  if (!target) return false;
  if (target.vmid !== undefined) return policy.protected.guests.includes(target.vmid);
  return target.node !== undefined && policy.protected.nodes.includes(target.node);
}

describe('gate properties', () => {
  it('never lets a yellow/red infra call through while the kill switch is on with scope all', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        fc.pre(acting(i.tool) && i.state.killSwitch.active && i.state.killSwitch.scope === 'all');
        expect(run(i).verdict).toBe('block');
      }),
      { numRuns: RUNS },
    );
  });

  it('never lets the monitor act (nor propose) while the kill switch is on, whatever its scope', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        fc.pre(i.caller.kind === 'monitor' && acting(i.tool) && i.state.killSwitch.active);
        expect(run(i).verdict).toBe('block');
      }),
      { numRuns: RUNS },
    );
  });

  it('never allows a red infra call from the assistant outright: confirm, dry run or block only', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        fc.pre(i.caller.kind === 'assistant' && i.tool.kind === 'infra' && i.tool.tier === 'red');
        expect(['confirm', 'dry_run', 'block']).toContain(run(i).verdict);
      }),
      { numRuns: RUNS },
    );
  });

  it('allows the monitor a red call only at level 4 for a runbook that opts in', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        fc.pre(i.caller.kind === 'monitor' && i.tool.tier === 'red');
        if (run(i).verdict === 'allow') {
          expect(i.state.autonomyLevel).toBe(4);
          expect(i.caller.runbook?.allowRed).toBe(true);
          expect(i.tool.kind).toBe('infra');
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('lets the monitor act on yellow only at level ≥ 3 and ≥ the runbook’s declared level', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        fc.pre(i.caller.kind === 'monitor' && i.tool.tier === 'yellow' && i.tool.kind === 'infra');
        if (PASSING.includes(run(i).verdict)) {
          expect(i.state.autonomyLevel).toBeGreaterThanOrEqual(Math.max(3, i.caller.runbook?.requiredLevel ?? 3));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('never lets the monitor call a control tool', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        fc.pre(i.caller.kind === 'monitor' && i.tool.kind === 'control');
        const verdict = run(i);
        expect(verdict.verdict).toBe('block');
      }),
      { numRuns: RUNS },
    );
  });

  it('never lets a red infra call touch a protected target, from any caller', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        fc.pre(i.tool.kind === 'infra' && i.tool.tier === 'red' && isProtected(i.target, i.policy));
        expect(run(i).verdict).toBe('block');
      }),
      { numRuns: RUNS },
    );
  });

  it('agrees with the list-time gate: a static block is a call-time block with the same code', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const fixed = gateStatic(i.tool, i.caller, i.policy);
        const full = run(i);
        if (fixed.verdict === 'block') expect(full).toEqual(fixed);
        else expect(fixed.verdict).toBe('allow');
      }),
      { numRuns: RUNS },
    );
  });

  it('allows green infra calls from any caller unless disabled or the caller is not permitted', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        fc.pre(i.tool.kind === 'infra' && i.tool.tier === 'green');
        const excluded =
          i.policy.disabledTools.includes(i.tool.name) ||
          (i.tool.callers !== undefined && !i.tool.callers.includes(i.caller.kind));
        expect(run(i).verdict).toBe(excluded ? 'block' : 'allow');
      }),
      { numRuns: RUNS },
    );
  });

  it('always answers with a known verdict and gives every block a reason', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const d = run(i);
        expect(['allow', 'confirm', 'dry_run', 'propose', 'block']).toContain(d.verdict);
        if (d.verdict === 'block' || d.verdict === 'propose') expect(d.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('gate examples', () => {
  const policy: GatePolicy = {
    readOnly: false,
    disabledTools: [],
    protected: { nodes: ['pve1'], guests: [100] },
    dryRun: false,
  };
  const off: GateState = { killSwitch: { active: false, scope: 'autonomy', reason: '' }, autonomyLevel: 3 };
  const stop: GateTool = { name: 'stop_guest', tier: 'red', kind: 'infra' };
  const start: GateTool = { name: 'start_guest', tier: 'yellow', kind: 'infra' };
  const monitor = (requiredLevel: AutonomyLevel, allowRed = false): GateCaller => ({
    kind: 'monitor',
    runbook: { requiredLevel, allowRed },
  });

  it('asks the assistant to confirm a red call and lets the operator run it', () => {
    expect(
      gate({ tool: stop, caller: { kind: 'assistant' }, target: { node: 'pve2', vmid: 101 }, policy, state: off }),
    ).toEqual({ verdict: 'confirm' });
    expect(
      gate({ tool: stop, caller: { kind: 'operator' }, target: { node: 'pve2', vmid: 101 }, policy, state: off }),
    ).toEqual({ verdict: 'allow' });
  });

  it('blocks stopping a protected guest even for the operator, but not a guest on a protected node', () => {
    expect(
      gate({ tool: stop, caller: { kind: 'operator' }, target: { node: 'pve2', vmid: 100 }, policy, state: off }),
    ).toMatchObject({ verdict: 'block', code: 'protected' });
    expect(
      gate({ tool: stop, caller: { kind: 'operator' }, target: { node: 'pve1', vmid: 101 }, policy, state: off }),
    ).toEqual({ verdict: 'allow' });
    const reboot: GateTool = { name: 'reboot_node', tier: 'red', kind: 'infra' };
    expect(
      gate({ tool: reboot, caller: { kind: 'operator' }, target: { node: 'pve1' }, policy, state: off }),
    ).toMatchObject({ verdict: 'block', code: 'protected' });
  });

  it('steps the monitor through the autonomy levels for a yellow action', () => {
    const at = (autonomyLevel: AutonomyLevel) =>
      gate({ tool: start, caller: monitor(3), policy, state: { ...off, autonomyLevel } }).verdict;
    expect([0, 1, 2, 3, 4].map((l) => at(l as AutonomyLevel))).toEqual(['block', 'block', 'propose', 'allow', 'allow']);
  });

  it('makes the monitor propose a red action unless level 4 and the runbook opts in', () => {
    const state = { ...off, autonomyLevel: 4 as const };
    expect(gate({ tool: stop, caller: monitor(3, false), policy, state }).verdict).toBe('propose');
    expect(gate({ tool: stop, caller: monitor(3, true), policy, state }).verdict).toBe('allow');
  });

  it('keeps control tools usable under a full freeze, so the switch can be released', () => {
    const release: GateTool = {
      name: 'set_kill_switch',
      tier: 'red',
      kind: 'control',
      callers: ['assistant', 'operator'],
    };
    const frozen: GateState = { ...off, killSwitch: { active: true, scope: 'all', reason: 'maintenance' } };
    expect(gate({ tool: release, caller: { kind: 'assistant' }, policy, state: frozen })).toEqual({
      verdict: 'confirm',
    });
    expect(gate({ tool: start, caller: { kind: 'operator' }, policy, state: frozen })).toMatchObject({
      verdict: 'block',
      code: 'kill_switch',
    });
  });

  it('turns acting calls into dry runs and blocks them in read-only mode', () => {
    expect(
      gate({ tool: start, caller: { kind: 'assistant' }, policy: { ...policy, dryRun: true }, state: off }),
    ).toEqual({ verdict: 'dry_run' });
    expect(
      gate({ tool: start, caller: { kind: 'assistant' }, policy: { ...policy, readOnly: true }, state: off }),
    ).toMatchObject({ verdict: 'block', code: 'read_only' });
  });

  it('blocks an unrecognised tier or caller kind (default-deny)', () => {
    const odd = { name: 'x', tier: 'purple', kind: 'infra' } as unknown as GateTool;
    expect(gate({ tool: odd, caller: { kind: 'operator' }, policy, state: off })).toMatchObject({
      verdict: 'block',
      code: 'unknown',
    });
    const stranger = { kind: 'robot' } as unknown as GateCaller;
    expect(gate({ tool: start, caller: stranger, policy, state: off })).toMatchObject({
      verdict: 'block',
      code: 'unknown',
    });
  });
});
