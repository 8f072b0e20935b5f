// The answer to one item of a request (R4–R8): an outcome and structured data
// the requesting officer can use (and the cross-border picture of R4.c can add
// up), plus free-text explanations and, where the providing Party has a special
// disclosure procedure, its description (R9.3).
import Type from 'typebox';
import { OUTCOME_LABELS } from './vocabulary.js';

const Text = Type.String({ minLength: 1, maxLength: 10_000 });
const Short = Type.String({ minLength: 1, maxLength: 1_000 });
const DateStr = Type.String({ format: 'date' });
const Money = Type.Object(
  { value: Type.Number({ minimum: 0 }), currency: Type.String({ pattern: '^[A-Z]{3}$' }) },
  { additionalProperties: false },
);

export const ANSWER_OUTCOMES = ['found', 'not_found', 'partial', 'not_disclosable'] as const;
export type AnswerOutcome = (typeof ANSWER_OUTCOMES)[number];

/** Russian labels: the vocabulary's (vocabulary.ts). */
export const OUTCOME_LABELS_RU = OUTCOME_LABELS;

export const AnswerDataSchema = Type.Object(
  {
    /** R4: the debtor's enforcement proceedings at the requested Party and their results (R4.c). */
    proceedings: Type.Optional(
      Type.Array(
        Type.Object(
          {
            number: Short,
            executiveDocument: Type.Optional(Short),
            collected: Type.Optional(Money),
            arrested: Type.Optional(Money),
            forSale: Type.Optional(Money),
          },
          { additionalProperties: false },
        ),
        { maxItems: 100 },
      ),
    ),
    /** R6.a: accounts, deposits, valuables in custody. */
    accounts: Type.Optional(
      Type.Array(
        Type.Object(
          {
            bank: Short,
            number: Short,
            currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
            balance: Type.Optional(Money),
            kind: Type.Optional(Short),
          },
          { additionalProperties: false },
        ),
        { maxItems: 100 },
      ),
    ),
    /** R6.b: real estate. */
    realEstate: Type.Optional(
      Type.Array(
        Type.Object(
          {
            description: Short,
            address: Type.Optional(Short),
            cadastralNumber: Type.Optional(Short),
            share: Type.Optional(Short),
            encumbrances: Type.Optional(Short),
          },
          { additionalProperties: false },
        ),
        { maxItems: 100 },
      ),
    ),
    /** R6.c: vehicles and other movables subject to registration. */
    vehicles: Type.Optional(
      Type.Array(
        Type.Object(
          {
            description: Short,
            registrationNumber: Type.Optional(Short),
            vin: Type.Optional(Short),
            year: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2100 })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 100 },
      ),
    ),
    /** R6.d/e: shares, securities, other property rights. */
    shares: Type.Optional(
      Type.Array(
        Type.Object(
          { issuer: Short, description: Short, share: Type.Optional(Short) },
          { additionalProperties: false },
        ),
        { maxItems: 100 },
      ),
    ),
    /** R7.a: place of work. */
    employer: Type.Optional(
      Type.Object(
        { name: Short, address: Type.Optional(Short), position: Type.Optional(Short), since: Type.Optional(DateStr) },
        { additionalProperties: false },
      ),
    ),
    /** R7.b: income by period. */
    income: Type.Optional(
      Type.Array(
        Type.Object({ from: DateStr, to: DateStr, amount: Money, source: Short }, { additionalProperties: false }),
        { maxItems: 200 },
      ),
    ),
    /** R8: addresses (place of residence or stay) or location of property. */
    addresses: Type.Optional(
      Type.Array(
        Type.Object(
          { address: Short, kind: Type.Optional(Short), since: Type.Optional(DateStr) },
          { additionalProperties: false },
        ),
        { maxItems: 50 },
      ),
    ),
    /** Explanations, certificates described in words (R5), the ground of a partial answer (R-KZ). */
    text: Type.Optional(Text),
    /** R9.3: the providing Party's special procedure for disclosure to the creditor, and the body to apply to. */
    disclosureProcedure: Type.Optional(
      Type.Object({ description: Text, body: Short }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

export type AnswerData = Type.Static<typeof AnswerDataSchema>;

/** The answers to a request's items, as given by the requested body and as they travel (R4–R8). */
export const AnswerItemsSchema = Type.Array(
  Type.Object(
    {
      itemNo: Type.Integer({ minimum: 1, maximum: 20 }),
      outcome: Type.Enum(ANSWER_OUTCOMES),
      data: Type.Optional(AnswerDataSchema),
      attachments: Type.Optional(
        Type.Array(
          Type.Object(
            {
              fileName: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^/\\\\\\u0000]+$' }),
              mediaType: Type.String({ pattern: '^[a-z]+/[a-z0-9.+-]+$', maxLength: 100 }),
              contentBase64: Type.String({ minLength: 1 }),
            },
            { additionalProperties: false },
          ),
          { maxItems: 20 },
        ),
      ),
    },
    { additionalProperties: false },
  ),
  { minItems: 1, maxItems: 20 },
);
