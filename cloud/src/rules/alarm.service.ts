import type { Orm } from '@iotp/db';
import type { Logger } from 'pino';
import type { DomainEvent, EventRecorder } from '../events/domain-events.ts';
import { Conflict, Invalid, NotFound } from '../http/problem.ts';
import type { AlarmQuery, AlarmRepository, AlarmRow, PagedAlarm } from './alarm.repository.ts';
import type { RuleRow } from './rule.repository.ts';
import type { RuleAction } from './rule.schemas.ts';

export interface AlarmServiceOptions {
  repo: AlarmRepository;
  orm: Orm;
  logger: Logger;
  /** Writes events in the alarm change's transaction. */
  events?: EventRecorder;
  /** Sends a command to a device, as the API's commands do (see `TwinService.send`). */
  sendCommand?: (orgId: string, deviceId: string, name: string, params: unknown) => Promise<unknown>;
  /** Told when an alarm is cleared by hand: the rule may raise it again if the condition still holds. */
  forget?: (ruleId: string, deviceId: string) => void;
}

/** Whether a rule's firing raises an alarm (the alarm then holds its state), or only fires. */
export function wantsAlarm(rule: Pick<RuleRow, 'actions'>): boolean {
  return (rule.actions as RuleAction[]).some((a) => a.type === 'alarm');
}

/** Alarms: raised and cleared by rules (`fire`, `end`), acknowledged and cleared by people. */
export class AlarmService {
  private readonly log: Logger;

  constructor(private readonly o: AlarmServiceOptions) {
    this.log = o.logger.child({ component: 'alarms' });
  }

  /** A rule fired for a device: raise its alarm (one open per rule and device), record, send commands. */
  async fire(rule: RuleRow, deviceId: string, detail: Record<string, unknown>): Promise<void> {
    const actions = rule.actions as RuleAction[];
    const alarmed = wantsAlarm(rule);
    const fired = await this.o.orm.transaction(async (tx) => {
      // A change queued or a check begun before the rule was disabled or deleted ends here.
      if (!(await this.o.repo.ruleEnabled(rule.id, tx))) return false;
      const alarm = alarmed
        ? await this.o.repo.raise({ orgId: rule.orgId, ruleId: rule.id, deviceId, severity: rule.severity, detail }, tx)
        : undefined;
      if (alarmed && !alarm) return false; // already open: it fired before
      const events: DomainEvent[] = [
        {
          orgId: rule.orgId,
          type: 'rule.fired',
          subjectType: 'rule',
          subjectId: rule.id,
          data: { device_id: deviceId, severity: rule.severity, actions, detail },
        },
      ];
      if (alarm) events.push(alarmEvent('alarm.raised', alarm));
      await this.o.events?.record(events, tx);
      return true;
    });
    if (!fired) return;
    for (const a of actions) {
      if (a.type !== 'command' || !this.o.sendCommand) continue;
      await this.o.sendCommand(rule.orgId, deviceId, a.name, a.params).catch((err: Error) => {
        this.log.warn({ err: err.message, ruleId: rule.id, deviceId }, 'rule command not sent');
      });
    }
  }

  /** A rule's condition ended for a device (or it left the rule's target: `note`): clear its open alarm, if any. */
  async end(rule: Pick<RuleRow, 'id'>, deviceId: string, note?: string): Promise<void> {
    await this.o.orm.transaction(async (tx) => {
      const alarm = await this.o.repo.clearOpen(rule.id, deviceId, { by: null, note }, tx);
      if (alarm) await this.o.events?.record(alarmEvent('alarm.cleared', alarm), tx);
    });
  }

  /** The rule was disabled or deleted: clear its open alarms with the reason, in the change's transaction. */
  async clearRule(ruleId: string, reason: 'rule disabled' | 'rule deleted', tx: Orm): Promise<void> {
    const cleared = await this.o.repo.clearRule(ruleId, reason, tx);
    if (cleared.length)
      await this.o.events?.record(
        cleared.map((a) => alarmEvent('alarm.cleared', a)),
        tx,
      );
  }

  async list(orgId: string, q: Omit<AlarmQuery, 'before'> & { cursor?: string }) {
    let before: AlarmQuery['before'];
    if (q.cursor) {
      try {
        const [at, id] = JSON.parse(Buffer.from(q.cursor, 'base64url').toString()) as [string, string];
        if (typeof at !== 'string' || typeof id !== 'string') throw new TypeError('not a pair');
        before = { at, id };
      } catch (err) {
        throw new Invalid('cursor: is not one this API gave out', undefined, { cause: err });
      }
    }
    const rows = await this.o.repo.page(orgId, { ...q, before, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const last: PagedAlarm | undefined = page[page.length - 1];
    return {
      data: page.map(publicAlarm),
      next_cursor:
        rows.length > q.limit && last
          ? Buffer.from(JSON.stringify([last.raisedAtText, last.id])).toString('base64url')
          : null,
    };
  }

  async get(orgId: string, id: string) {
    return publicAlarm(await this.found(orgId, id));
  }

  async counts(orgId: string) {
    const open = await this.o.repo.openCounts(orgId);
    return { open: Object.values(open).reduce((a, b) => a + b, 0), by_severity: open };
  }

  async acknowledge(orgId: string, id: string, by: string | null, note?: string) {
    const alarm = await this.o.orm.transaction(async (tx) => {
      const row = await this.o.repo.acknowledge(orgId, id, by, note, tx);
      if (row) await this.o.events?.record(alarmEvent('alarm.acknowledged', row), tx);
      return row;
    });
    if (alarm) return publicAlarm(alarm);
    await this.found(orgId, id);
    throw new Conflict('The alarm is cleared');
  }

  async clear(orgId: string, id: string, by: string | null, note?: string) {
    const alarm = await this.o.orm.transaction(async (tx) => {
      const row = await this.o.repo.clearById(orgId, id, by, note, tx);
      if (row) await this.o.events?.record(alarmEvent('alarm.cleared', row), tx);
      return row;
    });
    if (!alarm) {
      await this.found(orgId, id);
      throw new Conflict('The alarm is cleared already');
    }
    this.o.forget?.(alarm.ruleId, alarm.deviceId);
    return publicAlarm(alarm);
  }

  private async found(orgId: string, id: string) {
    const row = await this.o.repo.find(orgId, id);
    if (!row) throw new NotFound('No such alarm');
    return row;
  }
}

function alarmEvent(type: 'alarm.raised' | 'alarm.acknowledged' | 'alarm.cleared', a: AlarmRow): DomainEvent {
  return {
    orgId: a.orgId,
    type,
    subjectType: 'alarm',
    subjectId: a.id,
    data: {
      rule_id: a.ruleId,
      device_id: a.deviceId,
      severity: a.severity,
      by: type === 'alarm.acknowledged' ? a.acknowledgedBy : type === 'alarm.cleared' ? a.clearedBy : null,
      ...(type === 'alarm.cleared' && a.clearNote ? { note: a.clearNote } : {}),
    },
  };
}

function publicAlarm(a: AlarmRow) {
  return {
    id: a.id,
    rule_id: a.ruleId,
    device_id: a.deviceId,
    severity: a.severity,
    state: a.clearedAt ? ('cleared' as const) : ('open' as const),
    detail: a.detail,
    raised_at: a.raisedAt.toISOString(),
    acknowledged_at: a.acknowledgedAt?.toISOString() ?? null,
    acknowledged_by: a.acknowledgedBy,
    acknowledge_note: a.acknowledgeNote,
    cleared_at: a.clearedAt?.toISOString() ?? null,
    cleared_by: a.clearedBy,
    clear_note: a.clearNote,
  };
}
