// Which of the node's workers a change wakes, by the tables it wrote (written-tables.ts): each worker takes its
// work from the tables listed for it. A change that wrote none of them (a draft, a password, a setting) wakes
// none: before, every successful API or UI change woke all four, each answering with a claim of nothing.
export type NodeWorker = 'outbox' | 'batches' | 'webhooks' | 'mail';

const TAKES: Readonly<Record<NodeWorker, readonly string[]>> = {
  outbox: ['outbox'],
  batches: ['batches'],
  // Deliveries are queued from the events (webhook-worker.ts), or made due again (a retry), or a subscription set up.
  webhooks: ['events', 'webhook_deliveries', 'webhook_subscriptions'],
  // Letters and digest items are queued from the events (queue-mail-notices.ts), or a letter made due again.
  mail: ['events', 'mail_outbox', 'mail_preferences'],
};

export function workersToWake(written: ReadonlySet<string>): NodeWorker[] {
  return (Object.keys(TAKES) as NodeWorker[]).filter((w) => TAKES[w].some((t) => written.has(t)));
}
