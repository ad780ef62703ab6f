import type { Logger } from 'pino';
import { isoTime, type Clock } from '../../core/clock.js';
import {
  groupLabel,
  judgeRate,
  type AlertRules,
  type AlertVerdict,
  type RateRule,
} from '../../core/alert-rules.js';
import type { Db } from '../../storage/database.js';
import { newId } from '../../storage/ids.js';
import {
  alertDeadDeliveries,
  alertEventRates,
  alertSuppressionsCreated,
  queueState,
  type QueueState,
} from '../../storage/repositories/alert-window.repository.js';
import {
  claimAlertTransition,
  claimDueNotifications,
  finishNotification,
  insertAlertNotifications,
  insertAlertTransition,
  listAlertNotifications,
  listAlertStates,
  listAlertTransitions,
  touchAlertState,
} from '../../storage/repositories/alert-state.repository.js';
import type { AlertStateRow, AlertTransitionRow } from '../../storage/schema.js';
import {
  notificationPayloads,
  sendNotification,
  type NotifierSettings,
} from './alert-notifiers.js';
import { countOf } from '../../core/plural.js';

const MINUTE_MS = 60_000;
const SEND_LEASE_MS = 60_000;
const MAX_SEND_ATTEMPTS = 10;
const RETRY_BASE_MS = 30_000;
const RETRY_MAX_MS = 3_600_000;
const RECENT_MS = 7 * 86_400_000;

const iso = (v: number | null): string | null => (v === null ? null : isoTime(v));
const pct = (v: number): string => `${Number(v.toFixed(3))} %`;

/**
 * Alert rules evaluated against the database: each rule and group has one persisted state;
 * a transition (firing, severity changed, resolved) is claimed with a version check, recorded,
 * logged once and queued for the notifiers in the same transaction. A condition that holds
 * produces no further notifications.
 */
export class AlertService {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      logger: Logger;
      rules: AlertRules;
      notifiers: NotifierSettings;
    },
  ) {}

  get rules(): AlertRules {
    return this.deps.rules;
  }

  queueState(): Promise<QueueState> {
    return queueState(this.deps.db.kysely);
  }

  private rateVerdicts(
    name: 'bounce_rate' | 'complaint_rate',
    rule: RateRule,
    rows: Awaited<ReturnType<typeof alertEventRates>>,
  ): AlertVerdict[] {
    return rows.map((r) => {
      const [num, den, what] =
        name === 'bounce_rate'
          ? [r.bounces, r.delivered + r.bounces, 'bounces']
          : [r.complaints, r.delivered, 'complaints'];
      const group = groupLabel(rule.groupBy, r.group);
      const j = judgeRate(rule, num, den);
      if (!j)
        return {
          rule: name,
          group,
          firing: false,
          severity: null,
          value: 0,
          threshold: rule.warningPercent,
          message: `only ${den} sends in the last ${rule.windowMinutes} min (minimum ${rule.minVolume})`,
        };
      const where = group === '*' ? '' : ` for ${group}`;
      const message =
        `${name === 'bounce_rate' ? 'Bounce' : 'Complaint'} rate ${pct(j.percent)} (${num} ${what} of ${den} in the last ${rule.windowMinutes} min)${where}` +
        (j.severity ? ` is above the ${j.severity} threshold ${pct(j.threshold)}` : '');
      return {
        rule: name,
        group,
        firing: j.severity !== null,
        severity: j.severity,
        value: j.percent,
        threshold: j.threshold,
        message,
      };
    });
  }

  /** Measure every enabled rule now: one verdict per rule and group seen. */
  async measure(now: number): Promise<AlertVerdict[]> {
    const { rules } = this.deps;
    const q = this.deps.db.kysely;
    const caps = this.deps.db.caps;
    const out: AlertVerdict[] = [];
    if (rules.suppressionSpike.enabled) {
      const r = rules.suppressionSpike;
      for (const row of await alertSuppressionsCreated(
        q,
        caps,
        now - r.windowMinutes * MINUTE_MS,
        r.groupBy,
      )) {
        const group = groupLabel(r.groupBy, row.group);
        const firing = row.count > r.threshold;
        out.push({
          rule: 'suppression_spike',
          group,
          firing,
          severity: firing ? 'warning' : null,
          value: row.count,
          threshold: r.threshold,
          message: `${row.count} new suppressions in the last ${r.windowMinutes} min${group === '*' ? '' : ` for ${group}`} (threshold ${r.threshold})`,
        });
      }
    }
    if (rules.bounceRate.enabled)
      out.push(
        ...this.rateVerdicts(
          'bounce_rate',
          rules.bounceRate,
          await alertEventRates(
            q,
            caps,
            now - rules.bounceRate.windowMinutes * MINUTE_MS,
            rules.bounceRate.groupBy,
          ),
        ),
      );
    if (rules.complaintRate.enabled)
      out.push(
        ...this.rateVerdicts(
          'complaint_rate',
          rules.complaintRate,
          await alertEventRates(
            q,
            caps,
            now - rules.complaintRate.windowMinutes * MINUTE_MS,
            rules.complaintRate.groupBy,
          ),
        ),
      );
    if (rules.deadDeliveries.enabled) {
      const r = rules.deadDeliveries;
      for (const row of await alertDeadDeliveries(q, r.groupBy)) {
        const group = groupLabel(r.groupBy, row.group);
        const firing = row.count >= r.threshold;
        out.push({
          rule: 'dead_deliveries',
          group,
          firing,
          severity: firing ? 'warning' : null,
          value: row.count,
          threshold: r.threshold,
          message: `${countOf(row.count, 'dead delivery', 'dead deliveries')}${group === '*' ? '' : ` for ${group}`} await${row.count === 1 ? 's' : ''} inspection and replay`,
        });
      }
    }
    if (rules.backlog.enabled) {
      const s = await queueState(q);
      const ageMin =
        s.oldestWaitingAt === null ? 0 : Math.max(0, now - s.oldestWaitingAt) / MINUTE_MS;
      const firing = ageMin > rules.backlog.maxAgeMinutes;
      out.push({
        rule: 'backlog_age',
        group: '*',
        firing,
        severity: firing ? 'critical' : null,
        value: Number(ageMin.toFixed(2)),
        threshold: rules.backlog.maxAgeMinutes,
        message: `oldest waiting delivery is ${ageMin.toFixed(1)} min old (${s.pending + s.processing} waiting; limit ${rules.backlog.maxAgeMinutes} min)`,
      });
    }
    return out;
  }

  /** Measure and record transitions. Returns the transitions this instance claimed. */
  async evaluate(): Promise<AlertTransitionRow[]> {
    const now = this.deps.clock.now();
    const verdicts = await this.measure(now);
    const states = new Map((await listAlertStates(this.deps.db.kysely)).map((s) => [s.key, s]));
    const claimed: AlertTransitionRow[] = [];
    const seen = new Set<string>();
    for (const v of verdicts) {
      const key = `${v.rule}|${v.group}`;
      seen.add(key);
      const t = await this.apply(key, v, states.get(key), now);
      if (t) claimed.push(t);
    }
    // A firing group that is no longer measured (its traffic stopped, the rule was disabled) resolves.
    for (const s of states.values()) {
      if (s.state !== 'firing' || seen.has(s.key)) continue;
      const t = await this.apply(
        s.key,
        {
          rule: s.rule as AlertVerdict['rule'],
          group: s.group_key,
          firing: false,
          severity: null,
          value: 0,
          threshold: s.threshold ?? 0,
          message: 'condition no longer holds (nothing measured in the window)',
        },
        s,
        now,
      );
      if (t) claimed.push(t);
    }
    return claimed;
  }

  private async apply(
    key: string,
    v: AlertVerdict,
    current: AlertStateRow | undefined,
    now: number,
  ): Promise<AlertTransitionRow | null> {
    const wasFiring = current?.state === 'firing';
    if (!v.firing && !wasFiring) return null;
    if (v.firing && wasFiring && current?.severity === v.severity) {
      await touchAlertState(this.deps.db.kysely, key, v.value, v.message, now);
      return null;
    }
    const transition = !wasFiring ? 'firing' : v.firing ? 'changed' : 'resolved';
    const firedAt =
      transition === 'firing'
        ? now
        : current?.fired_at === null || current?.fired_at === undefined
          ? now
          : Number(current.fired_at);
    const row: AlertTransitionRow = {
      id: newId(now),
      alert_key: key,
      rule: v.rule,
      group_key: v.group,
      transition,
      severity: v.severity,
      value: v.value,
      threshold: v.threshold,
      message: v.message,
      at: now,
    };
    const won = await this.deps.db.kysely.transaction().execute(async (trx) => {
      const ok = await claimAlertTransition(trx, current, {
        key,
        rule: v.rule,
        group_key: v.group,
        state: v.firing ? 'firing' : 'ok',
        severity: v.severity,
        value: v.value,
        threshold: v.threshold,
        message: v.message,
        fired_at: firedAt,
        resolved_at: v.firing ? null : now,
        updated_at: now,
      });
      if (!ok) return false;
      await insertAlertTransition(trx, row);
      await insertAlertNotifications(
        trx,
        notificationPayloads(this.deps.notifiers, row, firedAt).map((n) => ({
          id: newId(now),
          transition_id: row.id,
          channel: n.channel,
          payload: n.payload,
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          last_error: null,
          created_at: now,
          sent_at: null,
        })),
      );
      return true;
    });
    if (!won) return null;
    const log = {
      alert: key,
      transition,
      severity: v.severity,
      value: v.value,
      threshold: v.threshold,
    };
    if (transition === 'resolved') this.deps.logger.info(log, `alert resolved: ${v.message}`);
    else this.deps.logger.warn(log, `alert ${transition}: ${v.message}`);
    return row;
  }

  /** Send due notifications once each; failures are retried with backoff, then given up. */
  async deliverNotifications(): Promise<{ sent: number; retrying: number; dead: number }> {
    const now = this.deps.clock.now();
    const result = { sent: 0, retrying: 0, dead: 0 };
    for (const row of await claimDueNotifications(this.deps.db.kysely, now, SEND_LEASE_MS, 50)) {
      const error = await sendNotification(this.deps.notifiers, row, now);
      if (error === null) {
        await finishNotification(this.deps.db.kysely, row.id, { status: 'sent', now });
        result.sent++;
      } else if (row.attempts >= MAX_SEND_ATTEMPTS) {
        await finishNotification(this.deps.db.kysely, row.id, { status: 'dead', now, error });
        this.deps.logger.error(
          { notification: row.id, channel: row.channel, attempts: row.attempts, err: error },
          'alert notification given up',
        );
        result.dead++;
      } else {
        const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (row.attempts - 1));
        await finishNotification(this.deps.db.kysely, row.id, {
          status: 'pending',
          now,
          nextAttemptAt: now + delay,
          error,
        });
        this.deps.logger.warn(
          {
            notification: row.id,
            channel: row.channel,
            attempts: row.attempts,
            delayMs: delay,
            err: error,
          },
          'alert notification failed, will retry',
        );
        result.retrying++;
      }
    }
    return result;
  }

  /** Current states (firing first) and the transitions of the last seven days. */
  async list(): Promise<{
    firing: Record<string, unknown>[];
    states: Record<string, unknown>[];
    recent: Record<string, unknown>[];
    notifications: Record<string, unknown>[];
    rules: AlertRules;
  }> {
    const now = this.deps.clock.now();
    const [states, recent, notes] = await Promise.all([
      listAlertStates(this.deps.db.kysely),
      listAlertTransitions(this.deps.db.kysely, now - RECENT_MS, 200),
      listAlertNotifications(this.deps.db.kysely, 50),
    ]);
    const state = (s: AlertStateRow): Record<string, unknown> => ({
      key: s.key,
      rule: s.rule,
      group: s.group_key,
      state: s.state,
      severity: s.severity,
      value: s.value,
      threshold: s.threshold,
      message: s.message,
      fired_at: iso(s.fired_at),
      resolved_at: iso(s.resolved_at),
      updated_at: iso(s.updated_at),
    });
    return {
      firing: states.filter((s) => s.state === 'firing').map(state),
      states: states.map(state),
      recent: recent.map((t) => ({
        id: t.id,
        key: t.alert_key,
        rule: t.rule,
        group: t.group_key,
        transition: t.transition,
        severity: t.severity,
        value: t.value,
        threshold: t.threshold,
        message: t.message,
        at: iso(t.at),
      })),
      notifications: notes.map((n) => ({
        id: n.id,
        transition_id: n.transition_id,
        channel: n.channel,
        status: n.status,
        attempts: n.attempts,
        last_error: n.last_error,
        created_at: iso(n.created_at),
        sent_at: iso(n.sent_at),
      })),
      rules: this.deps.rules,
    };
  }
}
