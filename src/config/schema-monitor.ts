/** The `monitor:` section of vigil.yaml: schedules, thresholds, forecasts, runbook tuning and guardrails. */
import { z } from 'zod';
import cron from 'node-cron';
import { CONDITIONS } from '../contracts/conditions.js';
import { bool, int, list, obj, pattern, str } from './fields.js';

/** A schedule interval in seconds that node-cron can express evenly (see src/monitor/schedule.ts). */
const EVEN_INTERVAL = (s: number) =>
  s < 60 ? 60 % s === 0 : s < 3600 ? s % 60 === 0 && 60 % (s / 60) === 0 : s % 3600 === 0 && 24 % (s / 3600) === 0;
const interval = (fallback: number) =>
  int(1, 86_400, 'a whole number of seconds')
    .refine(EVEN_INTERVAL, {
      error:
        'expected seconds that divide a minute (1–30), whole minutes that divide an hour, or whole hours that divide a day',
    })
    .default(fallback);
/** Seconds, fractions allowed (verification polls in a lab can be sub-second). */
const fseconds = (max: number) => {
  const expected = `expected a number of seconds greater than 0, at most ${max}`;
  return z.number({ error: expected }).positive({ error: expected }).max(max, { error: expected });
};

const runbookTuning = obj({
  enabled: bool().default(true),
  cooldownSeconds: int(0, 86_400, 'a whole number of seconds')
    .optional()
    .describe('Wait after an action on a target before this runbook acts on it again'),
  verifyTimeoutSeconds: fseconds(3600)
    .optional()
    .describe('How long verification polls before the attempt counts as failed'),
  verifyIntervalSeconds: fseconds(600).optional(),
});

export const monitorSchema = obj({
  enabled: bool().default(true).describe('Run the monitor inside "vigil serve"'),
  dryRun: bool().default(false).describe('Detect and open incidents, but only say what the runbooks would do'),
  schedules: obj({
    criticalSeconds: interval(15).describe('Cluster resources, node reachability, guest states'),
    fastSeconds: interval(5).describe('The critical interval while incidents are open'),
    routineSeconds: interval(300).describe('Disk, memory, services over SSH, HTTP checks'),
    daily: str('expected a cron expression such as "0 30 3 * * *"')
      .refine((e) => cron.validate(e), {
        error: 'expected a cron expression such as "0 30 3 * * *" (seconds minutes hours day month weekday)',
      })
      .default('0 30 3 * * *')
      .describe('node-cron expression of the daily run'),
  }).prefault({}),
  thresholds: obj({
    diskPercent: int(1, 100, 'a percentage').default(90),
    memoryPercent: int(1, 100, 'a percentage').default(95),
    httpFailures: int(1, 100, 'a count').default(3).describe('Consecutive failed checks before http.down'),
    nodeUnreachablePolls: int(1, 100, 'a count')
      .default(2)
      .describe('Consecutive polls offline and unreachable by SSH'),
    storagePercent: int(1, 100, 'a percentage').default(90).describe('storage.high for a Proxmox storage pool'),
  }).prefault({}),
  guests: obj({
    agentFailures: int(1, 100, 'a count')
      .default(3)
      .describe('Consecutive failed guest-agent pings of a running VM before guest.unresponsive'),
    autoRestart: list(int(100, 999_999_999, 'a VMID'))
      .default([])
      .describe(
        'Guests whose unresponsive runbook (reset, then stop and start) may act without approval below level 4',
      ),
    autoRestartTag: pattern(/^[a-z0-9_][a-z0-9_+.-]*$/i, 'expected a Proxmox tag such as "vigil-autorestart"')
      .default('vigil-autorestart')
      .describe('Guests with this Proxmox tag are opted in like autoRestart'),
  }).prefault({}),
  backups: obj({
    required: list(int(100, 999_999_999, 'a VMID'))
      .default([])
      .describe('Guests that must have a successful backup within maxAgeDays (backup.missing)'),
    maxAgeDays: int(1, 365, 'a number of days').default(2),
  }).prefault({}),
  flapping: obj({
    openings: int(2, 1000, 'a count')
      .default(4)
      .describe('Openings of one incident key within the window that mark it flapping'),
    windowMinutes: int(1, 10_080, 'a number of minutes').default(60),
  }).prefault({}),
  guardrails: obj({
    maxAttempts: int(1, 100, 'a count').default(3).describe('Attempts per incident within the window, then escalate'),
    attemptWindowMinutes: int(1, 10_080, 'a number of minutes').default(60),
    backoffSeconds: list(int(0, 86_400, 'a whole number of seconds'))
      .default([30, 120, 300])
      .describe('Wait after the 1st, 2nd, ... failed attempt (the last value repeats)'),
    maxConcurrentNodes: int(1, 1000, 'a count').default(1).describe('Blast radius: nodes under remediation at once'),
    leaseSeconds: int(10, 86_400, 'a whole number of seconds')
      .default(600)
      .describe('A remediation lease expires after this long if its holder dies'),
    dailyActionCap: int(0, 100_000, 'a count').default(50).describe('Actions in any 24 hours, all runbooks together'),
  }).prefault({}),
  forecast: obj({
    windowDays: int(1, 365, 'a number of days')
      .default(7)
      .describe('disk.fill_predicted when the trend reaches 100 % within this many days'),
    minR2: z
      .number({ error: 'expected a number from 0 to 1' })
      .min(0, { error: 'expected a number from 0 to 1' })
      .max(1, { error: 'expected a number from 0 to 1' })
      .default(0.8)
      .describe('Minimum r² of the least-squares fit; a noisier series predicts nothing'),
    minSamples: int(2, 100_000, 'a count').default(6).describe('Samples needed before any prediction'),
    minSpanHours: int(0, 8760, 'a number of hours')
      .default(6)
      .describe('Time the samples must span before any prediction'),
    sampleRetentionDays: int(1, 3650, 'a number of days')
      .default(30)
      .describe('The daily run deletes disk and memory samples older than this'),
  }).prefault({}),
  outboxRetentionDays: int(1, 3650, 'a number of days')
    .default(30)
    .describe('The daily run deletes delivered and given-up notifications older than this'),
  runbooks: z
    .partialRecord(z.enum(CONDITIONS), runbookTuning)
    .default({})
    .describe('Per-condition runbook tuning: enabled, cooldownSeconds, verifyTimeoutSeconds, verifyIntervalSeconds'),
  maintenance: list(
    obj({
      target: str('expected "*", a node name, "guest:VMID", "service:NODE:UNIT" or "http:NAME"'),
      start: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time such as "2025-06-01T22:00:00Z"' }),
      end: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time such as "2025-06-01T23:00:00Z"' }),
      reason: z.string().default(''),
    }),
  )
    .default([])
    .describe('Windows in which incidents still open but no runbook acts on the target'),
});
