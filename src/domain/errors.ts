// Stable error codes (ARCHITECTURE rule 7). One table maps every code to its
// HTTP status (used by the API adapter), its CLI exit code and the Russian
// message shown to people (R19). Services throw EixError, never HTTP errors.

export interface ErrorSpec {
  readonly http: number;
  readonly ru: string;
}

export const ERROR_CODES = {
  // generic input
  'input.invalid': { http: 400, ru: 'Неверные входные данные' },
  'input.json': { http: 400, ru: 'Входные данные не являются корректным JSON' },
  'input.file': { http: 400, ru: 'Не удалось прочитать файл' },
  'input.date': { http: 400, ru: 'Дата должна быть указана в формате ГГГГ-ММ-ДД' },
  'input.instant': { http: 400, ru: 'Момент времени должен быть указан в формате ISO 8601 с часовым поясом' },
  'input.party': { http: 400, ru: 'Неизвестная Сторона' },
  // national identifiers
  'id.kind': { http: 400, ru: 'Неизвестный вид идентификатора для этого государства' },
  // treaty engine (R22–R25)
  'treaty.events': { http: 400, ru: 'Неверный перечень событий депозитария' },
  'treaty.withdrawal_notice': {
    http: 400,
    ru: 'Уведомление о выходе направлено позднее чем за 3 месяца до выхода (статья 24)',
  },
  'treaty.event_order': { http: 400, ru: 'Событие депозитария противоречит предыдущим событиям' },
  // calendars (R12)
  'calendar.missing': { http: 422, ru: 'Нет производственного календаря Стороны на этот год' },
  'calendar.format': { http: 400, ru: 'Неверный формат производственного календаря' },
  'calendar.shorter_term': {
    http: 400,
    ru: 'Более короткий срок исполнения не может быть раньше дня получения запроса (статья 12)',
  },
  // request workflow (R10–R16, R24)
  'workflow.transition': { http: 409, ru: 'Действие недопустимо в текущем состоянии запроса' },
  'workflow.actor': { http: 403, ru: 'Это действие выполняет другая сторона запроса' },
  'workflow.event': { http: 400, ru: 'Неизвестное действие с запросом' },
  'workflow.consultation_required': {
    http: 409,
    ru: 'Условия исполнения определяются после консультаций с запрашивающим органом (статья 15)',
  },
  'workflow.confidentiality_pending': {
    http: 409,
    ru: 'Запрашивающий орган ещё не решил, исполнять ли запрос без сохранения конфиденциальности (статья 16)',
  },
  'workflow.confidentiality_not_notified': {
    http: 409,
    ru: 'Решение об исполнении без конфиденциальности принимается после уведомления о невозможности её сохранить (статья 16)',
  },
  'refusal.declaration_party': {
    http: 422,
    ru: 'Заявление этой Стороны (статья 25) не относится к исполнительному документу и положениям запроса',
  },
  'paper.document': {
    http: 409,
    ru: 'Этот документ ещё не направлен или оригинал записывает другая сторона (статья 10)',
  },
  // access (node service)
  'auth.required': { http: 401, ru: 'Требуется вход в систему или API-токен' },
  'auth.failed': { http: 401, ru: 'Неверное имя пользователя или пароль' },
  'auth.locked': { http: 423, ru: 'Учётная запись временно заблокирована после неудачных попыток входа' },
  'auth.token': { http: 401, ru: 'API-токен недействителен или отозван' },
  'auth.throttled': { http: 429, ru: 'Слишком много неудачных попыток входа; повторите позже' },
  'access.cross_site': {
    http: 403,
    ru: 'Запрос отправлен с другого сайта; войдите и работайте со страниц этого узла',
  },
  'input.length_required': { http: 411, ru: 'Не указан размер запроса (заголовок Content-Length)' },
  'auth.token_expired': { http: 401, ru: 'Срок действия API-токена истёк; выпустите новый токен' },
  'access.denied': { http: 403, ru: 'Недостаточно прав для этого действия' },
  // password policy (ASVS V2.1; src/domain/password-policy.ts)
  'password.too_short': { http: 400, ru: 'Пароль слишком короткий: не менее 12 символов' },
  'password.too_long': { http: 400, ru: 'Пароль слишком длинный: не более 128 символов' },
  'password.invalid_char': { http: 400, ru: 'Пароль содержит управляющие символы' },
  'password.personal': { http: 400, ru: 'Пароль не должен содержать имя входа или ФИО пользователя' },
  'password.common': { http: 400, ru: 'Пароль входит в список распространённых или утёкших паролей' },
  'password.weak': { http: 400, ru: 'Пароль слишком легко подобрать' },
  'input.too_large': { http: 413, ru: 'Слишком большой запрос' },
  'input.media_type': { http: 415, ru: 'Неподдерживаемый тип содержимого; ожидается application/json' },
  'route.not_found': { http: 404, ru: 'Нет такого адреса API' },
  rate_limited: { http: 429, ru: 'Слишком много запросов; повторите позже' },
  // records
  'body.not_found': { http: 404, ru: 'Орган не найден' },
  'body.exists': { http: 409, ru: 'Орган с таким идентификатором уже существует' },
  'officer.not_found': { http: 404, ru: 'Пользователь не найден' },
  'officer.exists': { http: 409, ru: 'Пользователь с таким именем входа уже существует' },
  'officer.last_admin': {
    http: 409,
    ru: 'Нельзя отключить последнего администратора узла или снять с него роль администратора',
  },
  'token.not_found': { http: 404, ru: 'API-токен не найден' },
  // issue 17: webhooks of national systems
  'webhook.not_found': { http: 404, ru: 'Адрес уведомлений не найден' },
  // issue 17 item 3: e-mail notices to officers
  'mail.not_found': { http: 404, ru: 'Письмо не найдено или уже отправлено' },
  // separation of duties and the second factor (issue 13, item 3)
  'token.casework_account': {
    http: 403,
    ru: 'API-токен для другого пользователя выпускается только технической учётной записи без ролей работы с запросами (судебный исполнитель, руководитель, центральный орган); сотрудник выпускает токен себе сам на странице «Безопасность»',
  },
  'officer.own_roles': { http: 403, ru: 'Нельзя изменить собственные роли: это делает другой администратор' },
  'role_grant.not_found': { http: 404, ru: 'Запрос на назначение ролей не найден или уже рассмотрен' },
  'role_grant.pending': { http: 409, ru: 'По этому пользователю уже есть неподтверждённый запрос на назначение ролей' },
  'role_grant.own': {
    http: 403,
    ru: 'Запрос на назначение ролей подтверждает или отклоняет другой администратор, не автор запроса и не сам пользователь',
  },
  'role_grant.stale': {
    http: 409,
    ru: 'Роли пользователя изменились после запроса; запрос отклонён, создайте новый',
  },
  'auth.password_change_required': {
    http: 403,
    ru: 'Пароль задан администратором: смените его, прежде чем продолжить работу',
  },
  'auth.second_factor_required': { http: 401, ru: 'Введите код из приложения-аутентификатора' },
  'mfa.code': { http: 401, ru: 'Код неверен или уже использован' },
  'mfa.not_started': { http: 409, ru: 'Подключение второго фактора не начато: откройте страницу «Безопасность»' },
  'mfa.enrolled': { http: 409, ru: 'Второй фактор уже подключён' },
  'proceeding.not_found': { http: 404, ru: 'Исполнительное производство не найдено' },
  'proceeding.exists': { http: 409, ru: 'Исполнительное производство с таким номером уже есть в этом органе' },
  'request.not_found': { http: 404, ru: 'Запрос не найден' },
  // batch requests (issue 16.1)
  'batch.file': { http: 400, ru: 'Файл пакета запросов не удалось прочитать' },
  'batch.empty': { http: 400, ru: 'В пакете нет ни одной строки с данными' },
  'batch.too_large': { http: 413, ru: 'Пакет слишком большой' },
  'batch.not_found': { http: 404, ru: 'Пакет запросов не найден' },
  'notice.not_found': { http: 404, ru: 'Уведомление не найдено' },
  'request.invalid': { http: 422, ru: 'Запрос заполнен с ошибками (статья 11)' },
  'request.conflict': { http: 409, ru: 'Запрос изменён другим пользователем; обновите страницу' },
  'answer.item': { http: 400, ru: 'В запросе нет такого пункта' },
  'attachment.too_large': { http: 413, ru: 'Файл слишком большой' },
  'attachment.not_found': { http: 404, ru: 'Вложение не найдено' },
  // Attachment allowlist (src/domain/attachments.ts): the declared type or the name's extension is not allowed…
  'attachment.type': {
    http: 415,
    ru: 'Тип файла не допускается; допускаются документы PDF, PNG, JPEG, TIFF, DOCX, XLSX, ODT, ODS и TXT',
  },
  // …or the content is not what the type and the name say.
  'attachment.content': {
    http: 415,
    ru: 'Содержимое файла не соответствует его типу; допускаются документы PDF, PNG, JPEG, TIFF, DOCX, XLSX, ODT, ODS и TXT',
  },
  'consent.required': { http: 403, ru: 'Нет согласия предоставившей Стороны на передачу третьему лицу (статья 9)' },
  'consent.not_found': { http: 404, ru: 'Запрос согласия на передачу сведений третьему лицу не найден' },
  'consent.decided': { http: 409, ru: 'На этот запрос согласия ответ уже дан; решение не изменяется (статья 9)' },
  'registry.pair': { http: 422, ru: 'Соглашение не связывает Стороны на эту дату' },
  'node.exists': { http: 409, ru: 'Узел уже создан в этом каталоге; повторная инициализация не выполняется' },
  'node.busy': { http: 409, ru: 'База данных узла уже открыта другим процессом' },
  'storage.unavailable': {
    http: 503,
    ru: 'База данных узла временно недоступна; повторите действие через несколько секунд',
  },
  'node.not_initialised': { http: 500, ru: 'Узел не создан: выполните eix node init' },
  // deployment (listener TLS, database TLS)
  'config.tls': { http: 500, ru: 'Сертификат или ключ TLS узла недоступен или не подходит' },
  'storage.tls': { http: 503, ru: 'Не удалось установить TLS-соединение с базой данных' },
  // federation (messages between nodes)
  'message.signature': { http: 400, ru: 'Подпись сообщения недействительна' },
  'message.certificate': {
    http: 403,
    ru: 'Сертификат подписи органа не выдан удостоверяющим центром его Стороны, отозван или недействителен',
  },
  'message.sender': { http: 403, ru: 'Отправитель не соответствует сертификату узла или органа' },
  'message.schema': { http: 400, ru: 'Сообщение не соответствует схеме своего типа' },
  'message.type': { http: 400, ru: 'Неизвестный тип сообщения' },
  'message.recipient': { http: 404, ru: 'Получатель сообщения не обслуживается этим узлом' },
  'message.clock': { http: 400, ru: 'Время создания сообщения вне допустимого расхождения часов' },
  'message.replay': { http: 409, ru: 'Сообщение с этим идентификатором уже получено с другим содержанием' },
  'message.context': {
    http: 409,
    ru: 'Отправитель сообщения не участвует в запросе, к которому оно относится, или такого запроса нет на этом узле',
  },
  'message.early': {
    http: 409,
    ru: 'Квитанция о получении запроса ещё не обработана; сообщение будет принято при повторной отправке',
  },
  'protocol.unsupported': {
    http: 409,
    ru: 'Узел получателя ещё не поддерживает это сообщение; оно будет отправлено после обновления узла',
  },
  'message.version': {
    http: 400,
    ru: 'Версия протокола сообщения не поддерживается этим узлом; в ответе указаны поддерживаемые версии',
  },
  'message.tls': { http: 403, ru: 'Клиентский сертификат TLS не выдан удостоверяющим центром Стороны из реестра' },
  'registry.node': { http: 422, ru: 'В реестре доверия нет узла этой Стороны' },
  'signer.missing': { http: 500, ru: 'Нет ключа подписи органа' },
  // Issue 15.1: a body signs only with a seal certificate issued under its Party's CA and imported on the node.
  'signer.no_certificate': { http: 409, ru: 'Орган не может подписывать: нет сертификата печати' },
  'seal.no_request': { http: 409, ru: 'Нет запроса на сертификат печати органа: создайте его на странице органа' },
  'seal.no_registry': { http: 409, ru: 'На узле нет реестра доверия: сертификат печати не с чем проверить' },
  'seal.key_mismatch': { http: 400, ru: 'Сертификат выпущен не на ключ из запроса на сертификат печати органа' },
  'seal.issuer': { http: 400, ru: 'Сертификат выпущен не удостоверяющим центром Стороны из реестра доверия' },
  'seal.expired': { http: 400, ru: 'Срок действия сертификата печати истёк' },
  'seal.not_yet_valid': { http: 400, ru: 'Срок действия сертификата печати ещё не начался' },
  'seal.subject': { http: 400, ru: 'Сертификат выпущен на другой орган или другую Сторону' },
  'seal.usage': { http: 400, ru: 'Сертификат не предназначен для подписи документов органа' },
  'seal.revoked': { http: 400, ru: 'Сертификат печати отозван в реестре доверия' },
  'transport.failed': { http: 502, ru: 'Не удалось доставить сообщение узлу другой Стороны' },
  'transport.peer': {
    http: 502,
    ru: 'Сервер по адресу из реестра предъявил сертификат, который не принадлежит узлу Стороны-получателя; сообщение не отправлено',
  },
  // data protection (R9)
  'crypto.key_exists': { http: 409, ru: 'Файл ключа уже существует; ключ не перезаписывается' },
  'crypto.key_file': { http: 500, ru: 'Файл ключа данных повреждён или недоступен' },
  'crypto.key_permissions': { http: 500, ru: 'Файл ключа данных доступен другим пользователям; установите права 0600' },
  'crypto.unknown_key': { http: 500, ru: 'Нет ключа, которым зашифрованы данные' },
  'crypto.decrypt': { http: 500, ru: 'Не удалось расшифровать данные: они повреждены или изменены' },
  'data_key.unknown': { http: 404, ru: 'Такого ключа данных нет в файле ключей' },
  'data_key.active': { http: 409, ru: 'Активный ключ данных не может быть выведен из обращения' },
  'data_key.in_use': { http: 409, ru: 'Ключом ещё зашифрованы данные; сначала выполните eix node reseal' },
  // federation PKI and the depositary's trust registry
  'pki.input': { http: 400, ru: 'Неверные данные для выпуска сертификата' },
  'pki.exists': { http: 409, ru: 'Файл ключа уже существует; ключ не перезаписывается' },
  'pki.certificate': { http: 400, ru: 'Не удалось прочитать сертификат X.509' },
  'pki.key': { http: 400, ru: 'Закрытый ключ повреждён, не поддерживается или не соответствует сертификату' },
  'pki.not_ca': { http: 400, ru: 'Сертификат издателя не является сертификатом удостоверяющего центра' },
  'evidence.no_registry': {
    http: 409,
    ru: 'На узле нет реестра доверия: доказательный пакет не с чем проверить',
  },
  'registry.signature': { http: 400, ru: 'Подпись реестра доверия неверна' },
  'registry.format': { http: 400, ru: 'Неверный формат реестра доверия' },
  'registry.rollback': { http: 409, ru: 'Реестр доверия старее принятого (откат версии не допускается)' },
  'registry.stale': {
    http: 503,
    ru: 'Реестр доверия устарел: отправка сообщений приостановлена до установки нового реестра',
  },
  'registry.depositary': {
    http: 400,
    ru: 'Реестр доверия подписан не тем депозитарием, сертификат которого закреплён',
  },
  'audit.broken': { http: 500, ru: 'Цепочка журнала аудита нарушена' },
  'audit.key_file': { http: 500, ru: 'Ключ журнала аудита повреждён или недоступен' },
  'audit.key_missing': {
    http: 500,
    ru: 'Ключ журнала аудита отсутствует, а журнал уже содержит записи с ключом: восстановите keys/audit.key',
  },
  'audit.key_mismatch': { http: 500, ru: 'Ключ журнала аудита не тот, которым подписан журнал этого узла' },
  'audit.no_signing_key': {
    http: 409,
    ru: 'У узла нет TLS-ключа и сертификата (keys/tls): контрольную точку журнала аудита нечем подписать',
  },
  'audit.checkpoint_format': { http: 400, ru: 'Неверный формат контрольной точки журнала аудита' },
  'audit.checkpoint_signature': { http: 400, ru: 'Подпись контрольной точки журнала аудита неверна' },
  // internal
  internal: { http: 500, ru: 'Внутренняя ошибка' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class EixError extends Error {
  readonly code: ErrorCode;
  readonly data: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, data: Record<string, unknown> = {}, message?: string) {
    super(message ?? ERROR_CODES[code].ru);
    this.name = 'EixError';
    this.code = code;
    this.data = data;
  }

  get http(): number {
    return ERROR_CODES[this.code].http;
  }

  toJSON(): { code: ErrorCode; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.data };
  }
}

export function isEixError(e: unknown): e is EixError {
  return e instanceof EixError;
}
