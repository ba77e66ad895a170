/**
 * The closed vocabulary of events and their envelope, shared with Socket.IO clients. Part of the
 * contracts layer: imports nothing of vigil's (zod only).
 */
import { z } from 'zod';

export const EVENT_TYPES = [
  'tool.executed',
  'tool.blocked',
  'approval.requested',
  'approval.resolved',
  'incident.opened',
  'incident.resolved',
  'incident.escalated',
  'remediation.started',
  'remediation.succeeded',
  'remediation.failed',
  'remediation.skipped',
  'killswitch.changed',
  'autonomy.changed',
  'notification.failed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** An event before it is stored: no id, no time yet. */
export const newEventSchema = z.object({
  type: z.enum(EVENT_TYPES),
  severity: z.enum(SEVERITIES),
  title: z.string().min(1),
  message: z.string(),
  node: z.string().optional(),
  target: z.string().optional(),
  incidentKey: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type NewEvent = z.infer<typeof newEventSchema>;

/** The envelope every subscriber receives; ids increase. */
export const eventSchema = newEventSchema.extend({ id: z.number().int().positive(), at: z.number().int() });
export type VigilEvent = z.infer<typeof eventSchema>;
