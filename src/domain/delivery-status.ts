// An outgoing message's delivery as the officer reads it (issue 14, item 3): honest about where it is,
// never a code, a file path or a stack trace. The outbox keeps `last_error` as «code: message»; the
// message may be the other node's text or carry local details (a key's path), so only the code is read,
// through one exhaustive table of causes, each a sentence in plain Russian and what the officer can do.

/** What the officer sees: a label, and when something went wrong, why and what to do. */
export type DeliveryPhase = 'sending' | 'delivered' | 'held' | 'delayed' | 'failed';

/** The causes an officer is told about; every outbox error code maps to one (CODE_CAUSES, else `rejected`). */
export const DELIVERY_CAUSES = [
  'unreachable',
  'peer_identity',
  'peer_busy',
  'peer_error',
  'peer_outdated',
  'clock',
  'not_yet_received',
  'signer_missing',
  'registry_stale',
  'registry_node',
  'certificate',
  'rejected',
  'local_error',
] as const;
export type DeliveryCause = (typeof DELIVERY_CAUSES)[number];

/** Who can cure a cause: another attempt (the officer may retry now), the node's administrator, or only time. */
export type DeliveryRemedy = 'retry' | 'admin' | 'wait';

export const DELIVERY_CAUSE_TEXT: Readonly<Record<DeliveryCause, { reason: string; remedy: DeliveryRemedy }>> = {
  unreachable: {
    reason: 'Узел другой Стороны не отвечает: нет связи или он временно остановлен.',
    remedy: 'retry',
  },
  peer_identity: {
    reason:
      'Сервер по адресу из реестра доверия не подтвердил, что он узел Стороны-получателя; сообщение не отправлялось.',
    remedy: 'admin',
  },
  peer_busy: {
    reason: 'Узел другой Стороны перегружен и просит повторить позже.',
    remedy: 'retry',
  },
  peer_error: {
    reason: 'На узле другой Стороны произошёл временный сбой.',
    remedy: 'retry',
  },
  peer_outdated: {
    reason: 'Узел другой Стороны ещё не поддерживает это сообщение; оно будет отправлено после обновления того узла.',
    remedy: 'wait',
  },
  clock: {
    reason: 'Часы этого узла и узла другой Стороны расходятся больше допустимого.',
    remedy: 'admin',
  },
  not_yet_received: {
    reason:
      'Узел другой Стороны ещё не обработал получение самого запроса; сообщение будет принято при следующей попытке.',
    remedy: 'retry',
  },
  signer_missing: {
    reason: 'У органа на этом узле нет ключа электронной подписи: сообщение нечем подписать.',
    remedy: 'admin',
  },
  registry_stale: {
    reason: 'Реестр доверия на этом узле устарел: отправка приостановлена до установки нового реестра.',
    remedy: 'admin',
  },
  registry_node: {
    reason: 'В реестре доверия нет узла Стороны-получателя.',
    remedy: 'admin',
  },
  certificate: {
    reason: 'Узел другой Стороны не принял сертификат подписи органа или узла.',
    remedy: 'admin',
  },
  rejected: {
    reason: 'Узел другой Стороны отклонил сообщение.',
    remedy: 'admin',
  },
  local_error: {
    reason: 'При подготовке сообщения на этом узле произошёл сбой.',
    remedy: 'admin',
  },
};

/** The outbox's error codes (local and the receiver's) and their causes; any other code is `rejected`. */
export const CODE_CAUSES: Readonly<Record<string, DeliveryCause>> = {
  'transport.failed': 'unreachable',
  'transport.peer': 'peer_identity',
  rate_limited: 'peer_busy',
  internal: 'peer_error',
  'storage.unavailable': 'peer_error',
  'protocol.unsupported': 'peer_outdated',
  'message.version': 'peer_outdated',
  'message.clock': 'clock',
  'message.early': 'not_yet_received',
  'signer.missing': 'signer_missing',
  'registry.stale': 'registry_stale',
  'registry.node': 'registry_node',
  'message.certificate': 'certificate',
  'message.tls': 'certificate',
  'message.sender': 'certificate',
  'crypto.key_file': 'local_error',
  'crypto.unknown_key': 'local_error',
  'crypto.decrypt': 'local_error',
};

/** Held, not attempted: the message waits for something outside this request (a newer registry, the peer's upgrade). */
const HELD_CAUSES: ReadonlySet<DeliveryCause> = new Set(['registry_stale', 'peer_outdated']);

export interface OutboxMessage {
  status: string;
  attempts: number;
  lastError: string | null;
  deliveredAt: string | null;
}

export interface DeliveryStatus {
  phase: DeliveryPhase;
  /** «отправляется…», «доставлено 27.11.2026 14:05», «задерживается», «ожидает отправки», «не доставлено». */
  label: string;
  /** Why, in plain Russian (never the code or the stored message); null when nothing went wrong. */
  reason: string | null;
  /** The officer may make the message due now («Повторить отправку»). */
  canRetry: boolean;
  /** The cause is the node's configuration: «Сообщите администратору узла». */
  tellAdmin: boolean;
}

/** The code of a stored «code: message» error, or null. */
export function errorCode(lastError: string | null): string | null {
  const m = /^([a-z_]+(?:\.[a-z_]+)*):/.exec(lastError ?? '');
  return m ? m[1]! : null;
}

export function deliveryCause(lastError: string | null): DeliveryCause | null {
  const code = errorCode(lastError);
  if (lastError === null || lastError === '') return null;
  return (code && CODE_CAUSES[code]) || 'rejected';
}

/**
 * The officer's view of one outgoing message. `dateTime` formats an instant in the node's time zone.
 * «задерживается» only after a failed attempt (a queued message is «отправляется…», however long it waits).
 */
export function deliveryStatus(m: OutboxMessage, dateTime: (iso: string) => string): DeliveryStatus {
  if (m.status === 'delivered')
    return {
      phase: 'delivered',
      label: m.deliveredAt ? `доставлено ${dateTime(m.deliveredAt)}` : 'доставлено',
      reason: null,
      canRetry: false,
      tellAdmin: false,
    };
  const cause = deliveryCause(m.lastError);
  // Queued and never failed, or being sent right now (another attempt is under way).
  if (cause === null || m.status === 'sending')
    return { phase: 'sending', label: 'отправляется…', reason: null, canRetry: false, tellAdmin: false };
  const { reason, remedy } = DELIVERY_CAUSE_TEXT[cause];
  const tellAdmin = remedy === 'admin';
  if (m.status === 'failed')
    // Failed for good: another attempt is the officer's to ask for once the cause is cured.
    return { phase: 'failed', label: 'не доставлено', reason, canRetry: true, tellAdmin };
  if (HELD_CAUSES.has(cause)) return { phase: 'held', label: 'ожидает отправки', reason, canRetry: false, tellAdmin };
  return { phase: 'delayed', label: 'задерживается', reason, canRetry: remedy !== 'wait', tellAdmin };
}
