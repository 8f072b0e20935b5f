// One Russian vocabulary for people (R19; issue 14, item 2): every code the
// system stores or sends — states, history events, message types, roles, body
// kinds, audit actions, refusal grounds, outcomes, issuer and item kinds,
// retention kinds, delivery statuses, error codes, history data keys — has its
// Russian label here, once. The tables are Record<Union, string>, so the
// compiler refuses a missing label; the web pages (src/web/labels.ts), the PDF
// forms (src/adapters/pdf) and the console (src/cli) read them from here.
// Pure: types only from the modules that define the codes (no runtime cycle).
import type { AnswerOutcome } from './answer.js';
import { ERROR_CODES, type ErrorCode } from './errors.js';
import type { MessageType } from './messages.js';
import { isSignatory, PARTIES, type SignatoryCode } from './parties.js';
import type { IssuerKind, ItemKind, PropertySubItem } from './request.js';
import type { LookupFailure, LookupKind } from './registry-lookups.js';
import type { RetentionKind } from './retention.js';
import type { RefusalGround, RequestEventKind, RequestState, WorkflowEvent } from './workflow.js';

// ---- Parties -------------------------------------------------------------------

/** The short name of a Party in the instrumental case («подтверждено Казахстаном»). */
const PARTY_INSTRUMENTAL_RU: Readonly<Record<SignatoryCode, string>> = {
  AZ: 'Азербайджаном',
  AM: 'Арменией',
  BY: 'Беларусью',
  KZ: 'Казахстаном',
  KG: 'Кыргызстаном',
  MD: 'Молдовой',
  RU: 'Россией',
  TJ: 'Таджикистаном',
  TM: 'Туркменистаном',
  UZ: 'Узбекистаном',
  UA: 'Украиной',
};

/** A Party's short name («Казахстан»); a state not among the signatories by its code; '' when absent. */
export function partyName(code: string | null | undefined): string {
  if (!code) return '';
  return isSignatory(code) ? PARTIES[code].nameRu : code;
}

/** A Party's full name as the Agreement's signature block writes it («Республика Казахстан»). */
export function partyFullName(code: string | null | undefined): string {
  if (!code) return '';
  return isSignatory(code) ? PARTIES[code].fullNameRu : code;
}

/** A Party's short name in the instrumental case («Казахстаном»), for «кем сделано». */
export function partyInstrumental(code: string | null | undefined): string {
  if (!code) return '';
  return isSignatory(code) ? PARTY_INSTRUMENTAL_RU[code] : `Стороной ${code}`;
}

// ---- the request ---------------------------------------------------------------

export const STATE_LABELS: Readonly<Record<RequestState, string>> = {
  draft: 'Черновик',
  signed: 'Подписан',
  sent: 'Отправлен',
  received: 'Получен',
  in_progress: 'На исполнении',
  postponed: 'Исполнение отложено',
  partially_answered: 'Исполнен частично',
  answered: 'Исполнен',
  refused: 'Отказано в исполнении',
  withdrawn: 'Отозван',
};

/** What an officer does (a button, an error naming the action): the infinitive. */
export const EVENT_ACTION_LABELS: Readonly<Record<WorkflowEvent, string>> = {
  sign: 'подписать',
  revise: 'вернуть на доработку',
  send: 'отправить',
  withdraw: 'отозвать запрос',
  reply_additional_info: 'представить дополнительные сведения',
  accept_conditions: 'принять условия исполнения',
  reject_conditions: 'отклонить условия исполнения',
  continue_without_confidentiality: 'продолжить исполнение без сохранения конфиденциальности',
  receipt: 'подтвердить получение',
  take_into_work: 'принять к исполнению',
  forward: 'передать территориальному органу',
  request_additional_info: 'запросить дополнительные сведения',
  notify_delay: 'уведомить о невозможности исполнения в срок',
  postpone: 'отложить исполнение',
  propose_conditions: 'определить условия исполнения',
  resume: 'возобновить исполнение',
  notify_confidentiality_impossible: 'сообщить о невозможности сохранить конфиденциальность',
  answer_partial: 'направить частичный ответ',
  answer_final: 'направить ответ',
  refuse: 'отказать в исполнении',
  consult: 'провести консультацию',
};

/** What happened (a history entry): a past event; who did it is added from the entry. */
export const HISTORY_EVENT_LABELS: Readonly<Record<RequestEventKind, string>> = {
  sign: 'Запрос подписан',
  revise: 'Запрос возвращён на доработку',
  send: 'Запрос отправлен',
  withdraw: 'Запрос отозван',
  reply_additional_info: 'Представлены дополнительные сведения',
  accept_conditions: 'Условия исполнения приняты',
  reject_conditions: 'Условия исполнения отклонены',
  continue_without_confidentiality: 'Принято решение об исполнении без сохранения конфиденциальности',
  receipt: 'Получение подтверждено',
  take_into_work: 'Запрос принят к исполнению',
  forward: 'Запрос передан территориальному органу',
  request_additional_info: 'Запрошены дополнительные сведения',
  notify_delay: 'Сообщено о невозможности исполнить в срок',
  postpone: 'Исполнение отложено',
  propose_conditions: 'Определены условия исполнения',
  resume: 'Исполнение возобновлено',
  notify_confidentiality_impossible: 'Сообщено о невозможности сохранить конфиденциальность',
  answer_partial: 'Направлен частичный ответ',
  answer_final: 'Направлен окончательный ответ',
  refuse: 'Отказано в исполнении',
  consult: 'Проведена консультация',
  consent_request: 'Запрошено согласие на передачу сведений третьему лицу',
  consent_answer: 'Дан ответ на запрос согласия',
  delivery_failed: 'Сообщение не доставлено',
  deletion_notice: 'Получатель уничтожил предоставленные сведения (статья 9)',
};

/** Who acts in the workflow's terms. */
export const ACTOR_LABELS: Readonly<Record<'requesting' | 'requested' | 'system', string>> = {
  requesting: 'запрашивающий орган',
  requested: 'запрашиваемый орган',
  system: 'система',
};

/** R13.a: the grounds of a refusal. */
export const REFUSAL_GROUND_LABELS: Readonly<Record<RefusalGround, string>> = {
  sovereignty: 'исполнение может нанести ущерб суверенитету запрашиваемой Стороны',
  security: 'исполнение может нанести ущерб безопасности запрашиваемой Стороны',
  law: 'исполнение противоречит законодательству запрашиваемой Стороны',
  international_obligations: 'исполнение противоречит международным обязательствам запрашиваемой Стороны',
  declaration: 'исполнительный документ подпадает под заявление Стороны о неприменении Соглашения (статья 25)',
};

export const OUTCOME_LABELS: Readonly<Record<AnswerOutcome, string>> = {
  found: 'сведения найдены',
  not_found: 'сведений нет',
  partial: 'сведения предоставлены частично',
  not_disclosable: 'сведения не подлежат предоставлению',
};

/** Who issued an executive document (R11.1). */
export const ISSUER_KIND_LABELS: Readonly<Record<IssuerKind, string>> = {
  court: 'суд',
  authority: 'иной уполномоченный орган',
  notary: 'нотариус',
};

export const ITEM_KIND_LABELS: Readonly<Record<ItemKind, string>> = {
  proceedings: 'Исполнительные производства и их результаты',
  documents: 'Документы и справки',
  clarification: 'Объяснения стороны',
  property: 'Имущество должника',
  employment_income: 'Место работы и доходы',
  location: 'Место нахождения',
  other: 'Иные сведения',
};

/** Sub-items of Article 6 as the Agreement letters them (а–д), and what each covers. */
export const PROPERTY_SUB_ITEM_LETTERS: Readonly<Record<PropertySubItem, string>> = {
  a: 'а',
  b: 'б',
  c: 'в',
  d: 'г',
  e: 'д',
};

export const PROPERTY_SUB_ITEM_LABELS: Readonly<Record<PropertySubItem, string>> = {
  a: 'денежные средства и иные ценности на счетах, во вкладах и на хранении в банках и иных кредитных организациях',
  b: 'недвижимое имущество',
  c: 'транспортные средства и иное имущество, подлежащее государственной регистрации',
  d: 'доли в уставном капитале, акции и иные ценные бумаги',
  e: 'иные имущественные права',
};

/** The short form of the sub-items the wizard offers («а) счета, вклады, ценности»). */
export const PROPERTY_SUB_ITEM_SHORT: Readonly<Record<PropertySubItem, string>> = {
  a: 'а) счета, вклады, ценности',
  b: 'б) недвижимость',
  c: 'в) транспорт',
  d: 'г) доли, ценные бумаги',
  e: 'д) иное имущество',
};

/** R4.c: the results of enforcement a request may ask about. */
export const PROCEEDING_RESULT_LABELS: Readonly<Record<'collected' | 'arrested' | 'for_sale', string>> = {
  collected: 'взысканные денежные средства',
  arrested: 'арестованное имущество',
  for_sale: 'имущество, переданное на реализацию',
};

/** Issue 17 item 2: what a domestic registry is asked for (the answer's groups of data). */
export const LOOKUP_KIND_LABELS: Readonly<Record<LookupKind, string>> = {
  proceedings: 'исполнительные производства',
  accounts: 'счета и вклады',
  realEstate: 'недвижимое имущество',
  vehicles: 'транспортные средства',
  shares: 'доли и ценные бумаги',
  employer: 'место работы',
  income: 'доходы',
  addresses: 'адреса',
};

/** Issue 17 item 2: why a registry's answer could not be used (the officer answers by hand). */
export const LOOKUP_FAILURE_LABELS: Readonly<Record<LookupFailure, string>> = {
  timeout: 'реестр не ответил в отведённое время',
  unavailable: 'реестр недоступен или сообщил о внутренней ошибке',
  garbage: 'реестр вернул сведения в непонятном виде',
  refused: 'реестр отказал узлу в доступе',
  rejected: 'реестр не принял запрос узла',
  circuit_open: 'реестр временно не опрашивается после нескольких сбоев подряд',
  interrupted: 'поиск в реестрах прерывался несколько раз',
};

/** R5.a: from whom documents are to be obtained. */
export const DOCUMENT_SOURCE_LABELS: Readonly<Record<'parties' | 'persons' | 'state_bodies', string>> = {
  parties: 'от сторон исполнительного производства',
  persons: 'от иных физических и юридических лиц',
  state_bodies: 'от государственных органов',
};

/**
 * An article reference as people write it: «6.a» → «6 а)», «7.b» → «7 б)», «8.c» → «8 в)», «4» → «4».
 * The data keep the Latin form (the registry's events use it); paper and pages show this one.
 */
export function provisionRu(provision: string): string {
  const m = /^(\d+)\.([a-e])$/.exec(provision);
  if (!m) return provision;
  return `${m[1]} ${PROPERTY_SUB_ITEM_LETTERS[m[2] as PropertySubItem]})`;
}

/** «ст. 6 а), 6 б)» for a list of provisions; '' for none. */
export function provisionsRu(provisions: readonly string[]): string {
  return provisions.length ? `ст. ${provisions.map(provisionRu).join(', ')}` : '';
}

// ---- messages and delivery -----------------------------------------------------

/** The protocol's message types by their Russian names (the catalogue in messages.ts takes its titles from here). */
export const MESSAGE_TYPE_LABELS = {
  request: 'Запрос',
  receipt: 'Квитанция о получении',
  bundle_receipt: 'Квитанция о получении пакета сообщений',
  answer_partial: 'Частичный ответ',
  answer_final: 'Окончательный ответ',
  refusal: 'Отказ в исполнении',
  consult: 'Консультация',
  request_additional_info: 'Запрос дополнительной информации',
  reply_additional_info: 'Дополнительная информация',
  notify_delay: 'Уведомление о невозможности исполнить в срок',
  postpone: 'Отсрочка исполнения',
  propose_conditions: 'Предложение условий исполнения',
  accept_conditions: 'Согласие с условиями',
  reject_conditions: 'Несогласие с условиями',
  resume: 'Возобновление исполнения',
  notify_confidentiality_impossible: 'Исполнение без огласки невозможно',
  continue_without_confidentiality: 'Исполнять без соблюдения конфиденциальности',
  withdraw: 'Отзыв запроса',
  forward: 'Запрос передан территориальному органу',
  consent_request: 'Запрос согласия на передачу третьему лицу',
  consent_answer: 'Согласие (отказ) на передачу третьему лицу',
  protection_query: 'Запрос о мерах защиты и сроках хранения',
  protection_answer: 'Сведения о мерах защиты и сроках хранения',
  deletion_notice: 'Уведомление об уничтожении полученных сведений',
} as const;

/** The label of a message type; exhaustive over the catalogue (checked where MessageType is known). */
export function messageTypeLabel(type: string): string {
  return (MESSAGE_TYPE_LABELS as Readonly<Record<string, string>>)[type] ?? 'Сообщение';
}

// Compile-time: every message type of the catalogue has a label (and no label names an unknown type).
const MESSAGE_TYPES_LABELLED: Readonly<Record<MessageType, string>> = MESSAGE_TYPE_LABELS;
void MESSAGE_TYPES_LABELLED;

export const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const DELIVERY_STATUS_LABELS: Readonly<Record<DeliveryStatus, string>> = {
  pending: 'ожидает отправки',
  sending: 'отправляется',
  delivered: 'доставлено',
  failed: 'не доставлено',
};

/** What a deletion notice names as destroyed (R9.6). */
export const DESTROYED_KIND_LABELS: Readonly<Record<'request' | 'answers' | 'attachments' | 'messages', string>> = {
  request: 'сведения запроса',
  answers: 'ответы',
  attachments: 'вложения',
  messages: 'тексты сообщений',
};

// ---- people and bodies ---------------------------------------------------------

export const ROLE_LABELS: Readonly<Record<'officer' | 'supervisor' | 'central' | 'admin', string>> = {
  officer: 'судебный исполнитель (запросы и ответы своего органа)',
  supervisor: 'руководитель (все запросы и журнал аудита своего органа)',
  central: 'центральный орган (весь обмен своей Стороны, передача запросов, статья 18)',
  admin: 'администратор узла (органы, пользователи, сроки хранения; без доступа к персональным данным)',
};

/** A role's short name, for lists and the console («руководитель»). */
export const ROLE_SHORT_LABELS: Readonly<Record<keyof typeof ROLE_LABELS, string>> = {
  officer: 'судебный исполнитель',
  supervisor: 'руководитель',
  central: 'центральный орган',
  admin: 'администратор узла',
};

/** Roles by their short names, comma-separated; an unknown role keeps its code. */
export function rolesRu(roles: readonly string[]): string {
  return roles.map((r) => (ROLE_SHORT_LABELS as Readonly<Record<string, string>>)[r] ?? r).join(', ');
}

export const BODY_KINDS = ['central', 'territorial', 'other'] as const;
export type BodyKind = (typeof BODY_KINDS)[number];

export const BODY_KIND_LABELS: Readonly<Record<BodyKind, string>> = {
  central: 'центральный орган',
  territorial: 'территориальный орган',
  other: 'иной орган',
};

/** R9.6: what a retention rule covers. */
export const RETENTION_KIND_LABELS: Readonly<Record<RetentionKind, string>> = {
  all: 'все виды сведений (общий срок Стороны)',
  answers_received: 'полученные ответы и вложения (по своим запросам)',
  incoming_requests: 'полученные запросы (сведения о должнике, поисковые ключи)',
  answers_sent: 'свои копии направленных ответов и вложений',
  step_texts: 'тексты действий другой Стороны и запросов согласия',
  messages: 'подписанные сообщения (входящие и исходящие)',
};

/** R10.a: how a paper original travels. */
export const PAPER_MEANS_LABELS: Readonly<Record<'post' | 'courier' | 'diplomatic' | 'hand', string>> = {
  post: 'почтой',
  courier: 'курьером',
  diplomatic: 'дипломатической почтой',
  hand: 'нарочным',
};

/** R10.a: whose paper original, in the genitive («оригинал запроса»). */
export const PAPER_DOCUMENT_LABELS: Readonly<Record<'request' | 'answer' | 'refusal', string>> = {
  request: 'запроса',
  answer: 'ответа',
  refusal: 'отказа в исполнении',
};

// ---- the audit log (issue 15 shows it in Russian) ------------------------------

/** Every action the use cases write to the audit log; appendAudit takes only these (src/app/audit.ts). */
export type AuditAction =
  | 'auth.login'
  | 'auth.login_failed'
  | 'auth.logout'
  | 'auth.password_changed'
  | 'auth.second_factor'
  | 'auth.second_factor_failed'
  | 'auth.second_factor_reset'
  | 'auth.session_ended'
  | 'auth.totp_enrolled'
  | 'auth.totp_enrolment_started'
  | 'body.add'
  | 'body.seal_import'
  | 'body.seal_request'
  | 'consent.received'
  | 'consent.request'
  | `consent.${'granted' | 'refused'}`
  | `consent.decision.${'granted' | 'refused'}`
  | 'data_key.reseal'
  | 'data_key.retire'
  | 'data_key.rotate'
  | 'federation.deletion_notice'
  | 'federation.delivery_failed'
  | 'federation.delivery_retry'
  | 'federation.rejected'
  | `mail.${'preferences' | 'retry'}`
  | 'officer.access_revoked'
  | 'officer.add'
  | 'officer.update'
  | 'officer.role_grant.request'
  | `officer.role_grant.${'approve' | 'reject'}`
  | 'paper_original.verified'
  | 'personal_data.purge'
  | 'personal_data.read'
  | 'personal_data.received'
  | `personal_data.export.${'creditor' | 'third_party' | 'evidence'}`
  | 'proceeding.create'
  | `registry.${'lookup' | 'draft' | 'auto_send_failed'}`
  | 'protection_query.answered'
  | 'protection_query.ask'
  | 'protection_statement.set'
  | `request.${RequestEventKind}`
  | 'request.batch'
  | 'request.deadline_recomputed'
  | 'request.draft'
  | 'request.paper_original'
  | 'request.revise_draft'
  | 'retention.deletion_notice'
  | 'retention.set'
  | 'token.create'
  | 'token.revoke'
  | `webhook.${'create' | 'delete' | 'enable' | 'disable' | 'retry'}`;

const REQUEST_AUDIT_LABELS = Object.fromEntries(
  Object.entries(HISTORY_EVENT_LABELS).map(([e, label]) => [`request.${e}`, label]),
) as Record<`request.${RequestEventKind}`, string>;

export const AUDIT_ACTION_LABELS: Readonly<Record<AuditAction, string>> = {
  'auth.login': 'Вход в систему',
  'auth.login_failed': 'Неудачная попытка входа',
  'auth.logout': 'Выход из системы',
  'auth.password_changed': 'Пароль изменён',
  'auth.second_factor': 'Второй фактор подтверждён',
  'auth.second_factor_failed': 'Неверный код второго фактора',
  'auth.second_factor_reset': 'Второй фактор сброшен',
  'auth.session_ended': 'Сеанс завершён',
  'auth.totp_enrolled': 'Подключено приложение одноразовых кодов',
  'auth.totp_enrolment_started': 'Начато подключение приложения одноразовых кодов',
  'body.add': 'Добавлен орган',
  'body.seal_import': 'Установлен сертификат печати органа',
  'body.seal_request': 'Создан запрос на сертификат печати органа',
  'consent.received': 'Получен запрос согласия на передачу третьему лицу',
  'consent.request': 'Запрошено согласие на передачу третьему лицу',
  'consent.granted': 'Получено согласие на передачу третьему лицу',
  'consent.refused': 'Получен отказ в согласии на передачу третьему лицу',
  'consent.decision.granted': 'Дано согласие на передачу третьему лицу',
  'consent.decision.refused': 'Отказано в согласии на передачу третьему лицу',
  'data_key.reseal': 'Данные перешифрованы новым ключом',
  'data_key.retire': 'Ключ данных выведен из употребления',
  'data_key.rotate': 'Создан новый ключ данных',
  'federation.deletion_notice': 'Получено уведомление об уничтожении сведений',
  'federation.delivery_failed': 'Сообщение не доставлено',
  'federation.delivery_retry': 'Повторная отправка сообщения по просьбе сотрудника',
  'federation.rejected': 'Входящее сообщение отклонено',
  'mail.preferences': 'Изменены настройки уведомлений по электронной почте',
  'mail.retry': 'Повторная отправка письма сотруднику',
  'officer.access_revoked': 'Доступ пользователя прекращён',
  'officer.add': 'Добавлен пользователь',
  'officer.update': 'Изменены данные пользователя',
  'officer.role_grant.request': 'Запрошено назначение ролей',
  'officer.role_grant.approve': 'Назначение ролей одобрено',
  'officer.role_grant.reject': 'Назначение ролей отклонено',
  'paper_original.verified': 'Проверен бумажный оригинал',
  'personal_data.purge': 'Сведения уничтожены по истечении срока хранения',
  'personal_data.read': 'Просмотр персональных данных',
  'personal_data.received': 'Получены персональные данные',
  'personal_data.export.creditor': 'Выписка полученных сведений для взыскателя',
  'personal_data.export.third_party': 'Выписка полученных сведений для третьего лица',
  'personal_data.export.evidence': 'Выгружен доказательный пакет обмена по запросу',
  'proceeding.create': 'Создано исполнительное производство',
  'registry.lookup': 'Запрос сведений в реестре для исполнения запроса',
  'registry.draft': 'Подготовлен черновик ответа по данным реестров',
  'registry.auto_send_failed': 'Автоматическая отправка ответа по данным реестров не выполнена',
  'protection_query.answered': 'Получены сведения о мерах защиты',
  'protection_query.ask': 'Запрошены сведения о мерах защиты',
  'protection_statement.set': 'Изменены сведения о мерах защиты',
  ...REQUEST_AUDIT_LABELS,
  'request.batch': 'Принят пакет запросов',
  'request.deadline_recomputed': 'Срок исполнения пересчитан',
  'request.draft': 'Создан проект запроса',
  'request.paper_original': 'Записано движение бумажного оригинала',
  'request.revise_draft': 'Проект запроса изменён',
  'retention.deletion_notice': 'Направлено уведомление об уничтожении сведений',
  'retention.set': 'Изменён срок хранения',
  'token.create': 'Выпущен токен доступа',
  'token.revoke': 'Токен доступа отозван',
  'webhook.create': 'Зарегистрирован адрес уведомлений внешней системы',
  'webhook.delete': 'Удалён адрес уведомлений внешней системы',
  'webhook.enable': 'Отправка уведомлений внешней системе возобновлена',
  'webhook.disable': 'Отправка уведомлений внешней системе приостановлена',
  'webhook.retry': 'Повторная отправка уведомления внешней системе',
};

/** An audit action in Russian; an action written by an older version keeps its code. */
export function auditActionLabel(action: string): string {
  return (AUDIT_ACTION_LABELS as Readonly<Record<string, string>>)[action] ?? action;
}

// ---- errors --------------------------------------------------------------------

/** The Russian message of an error code (errors.ts keeps one per code); the code itself stays in the API. */
export function errorLabel(code: string): string {
  return code in ERROR_CODES ? ERROR_CODES[code as ErrorCode].ru : 'Ошибка';
}

// ---- history data --------------------------------------------------------------

/** The keys a history entry's data shows to people, with their labels; other keys are technical and not shown. */
export const HISTORY_DATA_LABELS = {
  destroyed: 'Уничтожено',
  rule: 'Основание',
  destroyedAt: 'Когда',
  text: 'Текст',
  questions: 'Вопросы',
  newDate: 'Новый срок',
  reason: 'Причина',
  until: 'До',
  conditions: 'Условия',
  note: 'Примечание',
  ground: 'Основание',
  circumstances: 'Обстоятельства',
  number: 'Номер',
  deadline: 'Срок',
  receivedOn: 'Получен',
  basis: 'Основание срока',
  requestedBy: 'Просят исполнить до',
  toName: 'Передан органу',
  error: 'Ошибка',
  message: 'Сообщение',
  type: 'Вид',
  attempts: 'Попыток',
  declarationParty: 'Сторона, сделавшая заявление',
  estimated: 'Предварительный расчёт',
  body: 'Орган',
  name: 'Наименование',
  recipient: 'Получатель',
  purpose: 'Цель',
  granted: 'Согласие дано',
  receiptAt: 'Квитанция получена',
} as const;
export type HistoryDataKey = keyof typeof HISTORY_DATA_LABELS;
export const HISTORY_DATA_KEYS = Object.keys(HISTORY_DATA_LABELS) as HistoryDataKey[];

/** Keys of history data that are technical (ids, digests, envelopes) and never shown. */
export const HIDDEN_HISTORY_DATA_KEYS: readonly string[] = [
  'messageId',
  'receipt',
  'items',
  'signedBy',
  'from',
  'to',
  'consentId',
  // R18: the forwarded-to body's id; its name is shown («Наименование»).
  'body',
  'purgedAt',
  'sealed',
  'sha256',
  // Whether a deadline was computed before the receipt: a technical note, not for the officer.
  'estimated',
];

/** R12: what a deadline rests on. */
export const DEADLINE_BASIS_LABELS: Readonly<Record<'R12.a' | 'R12.b', string>> = {
  'R12.a': '30 рабочих дней (статья 12)',
  'R12.b': 'срок, указанный в запросе (статья 12; прежний расчёт)',
};

export const CONSENT_STATUS_LABELS: Readonly<Record<'requested' | 'granted' | 'refused', string>> = {
  requested: 'ожидает решения',
  granted: 'согласие дано',
  refused: 'в согласии отказано',
};

/** A value of a history entry's data, by its key; null when the key has no special wording (the caller formats it). */
export function historyValueRu(key: string, value: unknown): string | null {
  switch (key) {
    case 'basis':
      return (DEADLINE_BASIS_LABELS as Readonly<Record<string, string>>)[String(value)] ?? null;
    case 'destroyed':
      return (Array.isArray(value) ? value : [])
        .map((k) => (DESTROYED_KIND_LABELS as Readonly<Record<string, string>>)[String(k)] ?? String(k))
        .join(', ');
    case 'ground':
      return (REFUSAL_GROUND_LABELS as Readonly<Record<string, string>>)[String(value)] ?? null;
    case 'declarationParty':
      return partyName(String(value));
    case 'type':
      return messageTypeLabel(String(value));
    case 'error':
    case 'message':
      // A delivery error is stored as «code: explanation»; people read the explanation only.
      return typeof value === 'string' ? value.replace(/^[a-z_]+(\.[a-z_]+)*: /, '') : null;
    default:
      return null;
  }
}

// ---- history entries -----------------------------------------------------------

export interface HistoryEntryInput {
  readonly event: string;
  /** The side of the request that caused the event. */
  readonly side: string;
  /** The officer of this node who did it, when one did. */
  readonly officerName?: string | null;
}

/**
 * A history entry as people read it: the past event and who did it — an officer
 * of this node by name, the other Party by its name («Получение подтверждено
 * Казахстаном»), the node itself when nobody did («автоматически»).
 */
export function historyEntryRu(
  e: HistoryEntryInput,
  request: { direction: 'incoming' | 'outgoing'; counterpartParty: string },
): { what: string; who: string } {
  const what = (HISTORY_EVENT_LABELS as Readonly<Record<string, string>>)[e.event] ?? 'Событие по запросу';
  const ourSide = request.direction === 'outgoing' ? 'requesting' : 'requested';
  if (e.officerName) return { what, who: e.officerName };
  // A receipt is the requested Party's confirmation, whichever node wrote it down (R12.a).
  if (e.event === 'receipt')
    return { what, who: ourSide === 'requesting' ? partyInstrumental(request.counterpartParty) : 'автоматически' };
  if (e.side !== ourSide && e.side !== 'system') return { what, who: partyInstrumental(request.counterpartParty) };
  return { what, who: 'автоматически' };
}

/** The Parties' currencies by their Russian names (ОКВ), for amounts on pages, PDFs and exports. */
export const CURRENCY_LABELS: Readonly<Record<string, string>> = {
  AZN: 'азербайджанский манат',
  AMD: 'армянский драм',
  BYN: 'белорусский рубль',
  KZT: 'казахстанский тенге',
  KGS: 'киргизский сом',
  MDL: 'молдавский лей',
  RUB: 'российский рубль',
  TJS: 'таджикский сомони',
  TMT: 'туркменский манат',
  UZS: 'узбекский сум',
  UAH: 'украинская гривна',
};

/** An amount as people read it: «1 250 000,5 казахстанский тенге». */
export function moneyRu(m: { value: number; currency: string } | undefined): string {
  return m ? `${m.value.toLocaleString('ru-RU')} ${CURRENCY_LABELS[m.currency] ?? m.currency}` : '';
}
