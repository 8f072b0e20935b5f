// The request (запрос) of Articles 3–11 as data: TypeBox schemas are the
// contract (ARCHITECTURE rule 9) and give the TypeScript types.
//
// The schema checks *shape* only (types, known kinds, no stray fields). Mandatory
// content (R11.1) is optional here on purpose: a draft may be incomplete, and
// request-validation.ts reports each missing part with its rule id and a
// Russian message instead of a generic "required".
import Type from 'typebox';

const Text = Type.String({ maxLength: 10_000 });
const ShortText = Type.String({ maxLength: 1_000 });
const DateStr = Type.String({ format: 'date' });
const Code = Type.String({ pattern: '^[A-Z]{2}$' });

/** An enforcement body (орган принудительного исполнения) of a Party. R11.1.a, R18. */
export const BodyRefSchema = Type.Object(
  {
    id: Type.Optional(ShortText),
    party: Type.Optional(Code),
    name: Type.Optional(ShortText),
  },
  { additionalProperties: false },
);

export const NationalIdSchema = Type.Object(
  {
    country: Code,
    kind: Type.String({ pattern: '^[A-Z]{2,8}$' }),
    value: Type.String({ maxLength: 64 }),
  },
  { additionalProperties: false },
);

export const PassportSchema = Type.Object(
  {
    country: Type.Optional(Code),
    series: Type.Optional(Type.String({ maxLength: 16 })),
    number: Type.Optional(Type.String({ maxLength: 32 })),
    issuedBy: Type.Optional(ShortText),
    issuedOn: Type.Optional(DateStr),
  },
  { additionalProperties: false },
);

/** R11.1.c — an individual (физическое лицо). */
export const IndividualSchema = Type.Object(
  {
    type: Type.Literal('individual'),
    surname: Type.Optional(ShortText),
    name: Type.Optional(ShortText),
    patronymic: Type.Optional(ShortText),
    /** Latin spelling as in the passport, for matching (names.ts). */
    latinName: Type.Optional(ShortText),
    /** Place of residence or stay (место жительства или место пребывания). */
    address: Type.Optional(ShortText),
    birthDate: Type.Optional(DateStr),
    birthPlace: Type.Optional(ShortText),
    /** Place of work or study, if known. */
    workOrStudy: Type.Optional(ShortText),
    ids: Type.Optional(Type.Array(NationalIdSchema, { maxItems: 10 })),
    passport: Type.Optional(PassportSchema),
    otherIdentifiers: Type.Optional(ShortText),
  },
  { additionalProperties: false },
);

/** R11.1.c — a legal entity (юридическое лицо). */
export const LegalEntitySchema = Type.Object(
  {
    type: Type.Literal('legal_entity'),
    name: Type.Optional(ShortText),
    /** Registered address (местонахождение, адрес регистрации). */
    address: Type.Optional(ShortText),
    /** Taxpayer / registration numbers (УНП, ИНН, БИН …). */
    ids: Type.Optional(Type.Array(NationalIdSchema, { maxItems: 10 })),
  },
  { additionalProperties: false },
);

export const PersonSchema = Type.Union([IndividualSchema, LegalEntitySchema]);

/** Issuer kinds matter for Article 25 declarations (R25.a, R13.d). */
export const ISSUER_KINDS = ['court', 'authority', 'notary'] as const;
export type IssuerKind = (typeof ISSUER_KINDS)[number];

/** R11.1.b, R11.1.d — the executive document (исполнительный документ). */
export const ExecutiveDocumentSchema = Type.Object(
  {
    /** Name of the document (исполнительный лист, судебный приказ, исполнительная надпись нотариуса …). */
    title: Type.Optional(ShortText),
    number: Type.Optional(ShortText),
    date: Type.Optional(DateStr),
    issuer: Type.Optional(
      Type.Object(
        {
          kind: Type.Optional(Type.Union([Type.Literal('court'), Type.Literal('authority'), Type.Literal('notary')])),
          name: Type.Optional(ShortText),
        },
        { additionalProperties: false },
      ),
    ),
    /** R11.1.d — operative part of the judgment or act (резолютивная часть). */
    operativePart: Type.Optional(Text),
    /** The claim amount, when monetary, for the cross-border picture (R4.c). */
    amount: Type.Optional(
      Type.Object(
        {
          value: Type.Number({ minimum: 0 }),
          currency: Type.String({ pattern: '^[A-Z]{3}$' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const PeriodSchema = Type.Object(
  {
    from: Type.Optional(DateStr),
    to: Type.Optional(DateStr),
  },
  { additionalProperties: false },
);

// ---- items (R3–R8) --------------------------------------------------------

/** R4 — executive documents against the debtor at the requested Party; R4.c results to report. */
export const ProceedingsItemSchema = Type.Object(
  {
    kind: Type.Literal('proceedings'),
    results: Type.Optional(
      Type.Array(Type.Union([Type.Literal('collected'), Type.Literal('arrested'), Type.Literal('for_sale')]), {
        maxItems: 3,
      }),
    ),
    /** Other results named in the request (R4.c «иные указанные в запросе результаты»). */
    resultsOther: Type.Optional(Text),
  },
  { additionalProperties: false },
);

/** R5.a — information, certificates, documents or certified copies. */
export const DocumentsItemSchema = Type.Object(
  {
    kind: Type.Literal('documents'),
    description: Type.Optional(Text),
    from: Type.Optional(
      Type.Array(Type.Union([Type.Literal('parties'), Type.Literal('persons'), Type.Literal('state_bodies')]), {
        maxItems: 3,
      }),
    ),
  },
  { additionalProperties: false },
);

/** R5.b, R11.2 — explanations from a party of the proceedings on listed questions. */
export const ClarificationItemSchema = Type.Object(
  {
    kind: Type.Literal('clarification'),
    party: Type.Optional(Type.Union([Type.Literal('debtor'), Type.Literal('creditor')])),
    questions: Type.Optional(Type.Array(Text, { maxItems: 100 })),
  },
  { additionalProperties: false },
);

export const PROPERTY_SUB_ITEMS = ['a', 'b', 'c', 'd', 'e'] as const;
export type PropertySubItem = (typeof PROPERTY_SUB_ITEMS)[number];

/** R6.a–e — the debtor's property in the requested Party. */
export const PropertyItemSchema = Type.Object(
  {
    kind: Type.Literal('property'),
    subItems: Type.Optional(
      Type.Array(
        Type.Union([Type.Literal('a'), Type.Literal('b'), Type.Literal('c'), Type.Literal('d'), Type.Literal('e')]),
        { maxItems: 5 },
      ),
    ),
    note: Type.Optional(Text),
  },
  { additionalProperties: false },
);

/** R7.a place of work / R7.b income sources and amounts for a period (R7.c ≤ 3 years). */
export const EmploymentIncomeItemSchema = Type.Object(
  {
    kind: Type.Literal('employment_income'),
    workplace: Type.Optional(Type.Boolean()),
    income: Type.Optional(Type.Boolean()),
    period: Type.Optional(PeriodSchema),
  },
  { additionalProperties: false },
);

/** R8.a individual's address / R8.b legal entity's location / R8.c location of identified property. */
export const LocationItemSchema = Type.Object(
  {
    kind: Type.Literal('location'),
    target: Type.Optional(Type.Union([Type.Literal('debtor'), Type.Literal('property')])),
    property: Type.Optional(
      Type.Object(
        {
          description: Type.Optional(Text),
          /** Identifying data: registration plate, VIN, cadastral number … (R8.c). */
          identifiers: Type.Optional(Text),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** R3 (last paragraph) — other information needed for enforcement. */
export const OtherItemSchema = Type.Object(
  {
    kind: Type.Literal('other'),
    description: Type.Optional(Text),
  },
  { additionalProperties: false },
);

export const ItemSchema = Type.Union([
  ProceedingsItemSchema,
  DocumentsItemSchema,
  ClarificationItemSchema,
  PropertyItemSchema,
  EmploymentIncomeItemSchema,
  LocationItemSchema,
  OtherItemSchema,
]);

export const ITEM_KINDS = [
  'proceedings',
  'documents',
  'clarification',
  'property',
  'employment_income',
  'location',
  'other',
] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** The request as drafted by the requesting body. */
export const RequestSchema = Type.Object(
  {
    /** Outgoing registration number of the requesting body. */
    number: Type.Optional(ShortText),
    date: Type.Optional(DateStr),
    requestingBody: Type.Optional(BodyRefSchema),
    requestedBody: Type.Optional(BodyRefSchema),
    /** R10.b — the enforcement proceedings of the requesting body behind the request. */
    proceeding: Type.Optional(
      Type.Object(
        {
          number: Type.Optional(ShortText),
          openedOn: Type.Optional(DateStr),
          bodyId: Type.Optional(ShortText),
        },
        { additionalProperties: false },
      ),
    ),
    executiveDocument: Type.Optional(ExecutiveDocumentSchema),
    debtor: Type.Optional(PersonSchema),
    creditor: Type.Optional(PersonSchema),
    items: Type.Optional(Type.Array(ItemSchema, { maxItems: 20 })),
    /** R11.1.e — what is asked and the facts that ground the request. */
    grounds: Type.Optional(Text),
    /** R11.1.f — any other information needed. */
    otherInfo: Type.Optional(Text),
    /** R16 — the requesting body asks for confidentiality. */
    confidential: Type.Optional(Type.Boolean()),
    /** R12.b — a shorter term asked for (a date). */
    shorterTerm: Type.Optional(DateStr),
  },
  { additionalProperties: false },
);

export type Request = Type.Static<typeof RequestSchema>;
export type Item = Type.Static<typeof ItemSchema>;
export type Person = Type.Static<typeof PersonSchema>;
export type Individual = Type.Static<typeof IndividualSchema>;
export type LegalEntity = Type.Static<typeof LegalEntitySchema>;
export type NationalIdRef = Type.Static<typeof NationalIdSchema>;
export type ExecutiveDocument = Type.Static<typeof ExecutiveDocumentSchema>;

/** Article provisions an item asks for, as used by Article 25 declarations and reservations. */
export function itemProvisions(item: Item): string[] {
  switch (item.kind) {
    case 'proceedings':
      return ['4'];
    case 'documents':
      return ['5'];
    case 'clarification':
      return ['5'];
    case 'property':
      return (item.subItems ?? []).map((s) => `6.${ARTICLE_LETTER[s]}`);
    case 'employment_income':
      return [...(item.workplace ? ['7.a'] : []), ...(item.income ? ['7.b'] : [])];
    case 'location':
      return [item.target === 'property' ? '8.c' : '8'];
    case 'other':
      return ['3'];
  }
}

// Sub-items are written with Latin letters in data and as Cyrillic а–д in the
// text; provisions use the Latin form ("6.a"), as in the registry's events.
const ARTICLE_LETTER: Record<PropertySubItem, string> = { a: 'a', b: 'b', c: 'c', d: 'd', e: 'e' };

/** Russian labels of request fields (messages name the field, R19). */
export const REQUEST_FIELD_NAMES: Readonly<Record<string, string>> = {
  number: 'номер запроса',
  date: 'дата запроса',
  requestingBody: 'запрашивающий орган',
  'requestingBody.id': 'идентификатор запрашивающего органа',
  'requestingBody.party': 'Сторона запрашивающего органа',
  'requestingBody.name': 'наименование запрашивающего органа',
  requestedBody: 'запрашиваемый орган',
  'requestedBody.id': 'идентификатор запрашиваемого органа',
  'requestedBody.party': 'запрашиваемая Сторона',
  'requestedBody.name': 'наименование запрашиваемого органа',
  proceeding: 'исполнительное производство',
  'proceeding.number': 'номер исполнительного производства',
  'proceeding.bodyId': 'орган, в производстве которого находится исполнительное производство',
  'proceeding.openedOn': 'дата возбуждения исполнительного производства',
  executiveDocument: 'исполнительный документ',
  'executiveDocument.title': 'наименование исполнительного документа',
  'executiveDocument.number': 'номер исполнительного документа',
  'executiveDocument.date': 'дата исполнительного документа',
  'executiveDocument.issuer': 'орган, выдавший исполнительный документ',
  'executiveDocument.issuer.kind': 'вид органа, выдавшего исполнительный документ',
  'executiveDocument.issuer.name': 'наименование органа (должностного лица), выдавшего исполнительный документ',
  'executiveDocument.operativePart': 'резолютивная часть акта',
  debtor: 'должник',
  creditor: 'взыскатель',
  'debtor.surname': 'фамилия должника',
  'debtor.name': 'имя (наименование) должника',
  'debtor.patronymic': 'отчество должника',
  'debtor.address': 'адрес должника',
  'debtor.birthDate': 'дата рождения должника',
  'debtor.birthPlace': 'место рождения должника',
  'debtor.ids': 'идентификационные номера должника',
  'debtor.ids[]': 'идентификационный номер должника',
  'debtor.ids[].value': 'идентификационный номер должника',
  'creditor.surname': 'фамилия взыскателя',
  'creditor.name': 'имя (наименование) взыскателя',
  'creditor.address': 'адрес взыскателя',
  'creditor.ids[].value': 'идентификационный номер взыскателя',
  items: 'запрашиваемые сведения',
  'items[]': 'запрашиваемые сведения',
  'items[].subItems': 'виды имущества (статья 6)',
  'items[].questions': 'перечень вопросов',
  'items[].questions[]': 'вопрос',
  'items[].period': 'период',
  'items[].period.from': 'начало периода',
  'items[].period.to': 'окончание периода',
  'items[].description': 'описание',
  'items[].property': 'имущество',
  'items[].property.description': 'описание имущества',
  'items[].property.identifiers': 'идентифицирующие данные имущества',
  'items[].resultsOther': 'иные результаты исполнения',
  grounds: 'содержание запроса и фактические обстоятельства',
  otherInfo: 'другие сведения',
  confidential: 'конфиденциальность',
  shorterTerm: 'более короткий срок исполнения',
};
