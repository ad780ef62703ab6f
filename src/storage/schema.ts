import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * Table types. Portable across SQLite and PostgreSQL: text ids, epoch-ms integers (bigint on
 * PostgreSQL, read back as numbers), JSON as text, raw bodies as blob/bytea.
 */
export interface SuppressionsTable {
  id: string;
  channel: string;
  address: string;
  scope: string;
  reason: string;
  source: string;
  first_event_at: number;
  last_event_at: number;
  expires_at: number | null;
  soft_count: number;
  soft_failures: string;
  metadata: string;
  created_at: number;
  updated_at: number;
}

export interface EventsTable {
  id: string;
  provider: string;
  dedup_key: string;
  type: string;
  channel: string;
  address: string;
  scope: string;
  severity: string | null;
  reason: string | null;
  fine_reason: string | null;
  smtp_code: string | null;
  enhanced_status: string | null;
  diagnostic: string | null;
  error_code: string | null;
  provider_message_id: string | null;
  campaign: string | null;
  occurred_at: number;
  received_at: number;
  delivery_id: string | null;
  details: string;
}

export interface DeliveriesTable {
  id: string;
  provider: string;
  endpoint: string;
  received_at: number;
  url: string;
  params: string;
  headers: string;
  body: Buffer;
  /** pending | processing | done | ignored | dead */
  status: string;
  attempts: number;
  run_at: number;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  outcome: string | null;
  processed_at: number | null;
}

export interface AuditLogTable {
  id: string;
  at: number;
  actor: string;
  action: string;
  channel: string | null;
  address: string | null;
  scope: string | null;
  before: string | null;
  after: string | null;
  note: string | null;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  key_hash: string;
  prefix: string;
  scope: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface KvTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface MailboxMessagesTable {
  mailbox: string;
  message_key: string;
  /** stored (events committed; remove from the server) | unparsed (kept for a human) */
  status: string;
  delivery_id: string | null;
  seen_at: number;
}

export interface AlertStatesTable {
  /** `rule` + `|` + `group_key`. */
  key: string;
  rule: string;
  /** `*` when the rule is not grouped, else e.g. `provider=drip`. */
  group_key: string;
  /** firing | ok */
  state: string;
  severity: string | null;
  value: number | null;
  threshold: number | null;
  message: string;
  fired_at: number | null;
  resolved_at: number | null;
  updated_at: number;
  /** Bumped by every transition; a transition is claimed by updating where version matches. */
  version: number;
}

export interface AlertTransitionsTable {
  id: string;
  alert_key: string;
  rule: string;
  group_key: string;
  /** firing | changed | resolved */
  transition: string;
  severity: string | null;
  value: number | null;
  threshold: number | null;
  message: string;
  at: number;
}

export interface AlertNotificationsTable {
  id: string;
  transition_id: string;
  /** slack | webhook */
  channel: string;
  payload: string;
  /** pending | sent | dead */
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface DashboardSessionsTable {
  id_hash: string;
  key_id: string;
  key_name: string;
  scope: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  /** SHA-256 of the key the session was opened with (null: opened before 0007). */
  key_hash: string | null;
}

export interface UnsubscribeGroupsTable {
  /** The scope suppressions carry for this group. */
  id: string;
  name: string;
  description: string;
  created_at: number;
  updated_at: number;
}

export interface OutboundSubscriptionsTable {
  id: string;
  url: string;
  /** Standard Webhooks `whsec_` key; never returned by the API after creation. */
  secret: string;
  /** JSON array of event types; null = all. */
  events: string | null;
  /** config | api */
  origin: string;
  created_at: number;
}

export interface OutboundDeliveriesTable {
  /** Time-ordered and strictly increasing per process: the order deliveries go out in. */
  id: string;
  subscription_id: string;
  /** subscription id + channel + address: one at a time, in id order. */
  order_key: string;
  dedup_key: string | null;
  event_type: string;
  payload: string;
  /** pending | delivered | dead */
  status: string;
  attempts: number;
  next_attempt_at: number;
  locked_until: number | null;
  last_error: string | null;
  last_status: number | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

export interface Database {
  suppressions: SuppressionsTable;
  events: EventsTable;
  deliveries: DeliveriesTable;
  audit_log: AuditLogTable;
  api_keys: ApiKeysTable;
  kv: KvTable;
  mailbox_messages: MailboxMessagesTable;
  alert_states: AlertStatesTable;
  alert_transitions: AlertTransitionsTable;
  alert_notifications: AlertNotificationsTable;
  dashboard_sessions: DashboardSessionsTable;
  unsubscribe_groups: UnsubscribeGroupsTable;
  outbound_subscriptions: OutboundSubscriptionsTable;
  outbound_deliveries: OutboundDeliveriesTable;
}

export type SuppressionRow = Selectable<SuppressionsTable>;
export type NewSuppressionRow = Insertable<SuppressionsTable>;
export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Insertable<EventsTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type NewDeliveryRow = Insertable<DeliveriesTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type NewAuditRow = Insertable<AuditLogTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type AlertStateRow = Selectable<AlertStatesTable>;
export type AlertTransitionRow = Selectable<AlertTransitionsTable>;
export type AlertNotificationRow = Selectable<AlertNotificationsTable>;
export type DashboardSessionRow = Selectable<DashboardSessionsTable>;
export type UnsubscribeGroupRow = Selectable<UnsubscribeGroupsTable>;
export type { Generated };
export type OutboundSubscriptionRow = Selectable<OutboundSubscriptionsTable>;
export type OutboundDeliveryRow = Selectable<OutboundDeliveriesTable>;
export type NewOutboundDeliveryRow = Insertable<OutboundDeliveriesTable>;
