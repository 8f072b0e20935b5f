// The request page's step forms, built from the message catalogue (pure).
import { type RequestView } from '../../app/get-request.js';
import { MESSAGE_TYPES, STEP_MESSAGE_TYPES, type FormField } from '../../domain/messages.js';
import { labels } from '../labels.js';
import { one, type Form } from '../kit.js';

export interface StepFormView {
  step: string;
  label: string;
  button: string;
  fields: {
    name: string;
    label: string;
    type: string;
    required: boolean;
    options?: readonly (readonly [string, string])[];
  }[];
}

/**
 * The officer's step forms: taking a request into work (no message), then one
 * per step message of the catalogue (its labels and fields, required as its
 * wire schema says), the refusal and the withdrawal last.
 */
export const STEP_FORMS: readonly StepFormView[] = [
  { step: 'take_into_work', label: 'Принять к исполнению', button: 'Принять к исполнению', fields: [] },
  ...[...STEP_MESSAGE_TYPES]
    .sort((a, b) => Number(a === 'refusal' || a === 'withdraw') - Number(b === 'refusal' || b === 'withdraw'))
    .map((t): StepFormView => {
      const entry = MESSAGE_TYPES[t];
      const required = new Set((entry.body as { required?: string[] }).required ?? []);
      return {
        step: entry.event,
        label: entry.form.label,
        button: entry.form.button,
        fields: Object.entries(entry.form.fields as Record<string, FormField>).map(([name, f]) => ({
          name,
          label: f.label,
          type: f.input,
          required: required.has(name),
          ...(f.options ? { options: f.options } : {}),
        })),
      };
    }),
];

/**
 * R13.d: the refusal form of this request. The ground «declaration» is offered
 * only when the requesting or the requested Party made an Article 25
 * declaration that covers this request, and then only those Parties.
 */
export function stepFormsFor(v: RequestView): StepFormView[] {
  return STEP_FORMS.map((s) => {
    if (s.step !== 'refuse') return s;
    // Issue 14, item 4: no ground is preselected — the list starts empty and a choice is required.
    const fields = s.fields.map((f) =>
      f.name === 'ground'
        ? {
            ...f,
            required: true,
            options: [
              ['', '— выберите основание —'] as const,
              ...(f.options ?? []).filter(([g]) => g !== 'declaration' || v.declarationParties.length > 0),
            ],
          }
        : f,
    );
    if (v.declarationParties.length === 0) return { ...s, fields };
    const role = (cc: string) => (cc === v.counterpartBody.party ? 'запрашивающая Сторона' : 'запрашиваемая Сторона');
    const declarationParty = {
      name: 'declarationParty',
      label: 'Сторона, заявление которой (статья 25) охватывает исполнительный документ',
      type: 'select',
      required: false,
      options: [
        ['', 'не указывается (другое основание)'] as const,
        ...v.declarationParties.map((cc) => [cc, `${labels.partyName(cc)} (${role(cc)})`] as const),
      ],
    };
    const at = fields.findIndex((f) => f.name === 'ground') + 1;
    return { ...s, fields: [...fields.slice(0, at), declarationParty, ...fields.slice(at)] };
  });
}

/** R14: the request for additional information starts from what the check on receipt found missing (R11). */
export function stepPrefill(v: RequestView): Record<string, Record<string, string>> {
  const problems = v.direction === 'incoming' ? (v.receiptCheck?.problems ?? []) : [];
  if (problems.length === 0) return {};
  const list = problems.map((p) => `— ${labels.problemText(p)}`).join('\n');
  return {
    request_additional_info: { questions: `Просим сообщить недостающие сведения (статья 11 Соглашения):\n${list}` },
  };
}

/** Issue 14, item 4: steps that cannot be undone are confirmed on a page of their own first. */
export const CONFIRMED_STEPS: readonly string[] = ['refuse', 'withdraw'];

/** What the officer typed in a step's form (its fields, and the declaring Party of a refusal, R13.d). */
export function stepValues(def: StepFormView, f: Form): Record<string, string> {
  const names = [...def.fields.map((x) => x.name), ...(def.step === 'refuse' ? ['declarationParty'] : [])];
  return Object.fromEntries(names.map((n) => [n, one(f[n])]).filter(([, v]) => v !== ''));
}

/** The first required field left empty (or a choice not on its list), as a sentence; null when complete. */
export function stepMissing(def: StepFormView, values: Record<string, string>): string | null {
  for (const x of def.fields) {
    const v = values[x.name] ?? '';
    if ((x.required || (def.step === 'refuse' && x.name === 'ground')) && !v) return `Заполните поле «${x.label}».`;
    if (v && x.options && !x.options.some(([o]) => o === v)) return `Выберите значение поля «${x.label}» из списка.`;
  }
  return null;
}

/** The confirmation page's summary: each filled field's label and value (a choice by its label). */
export function confirmRows(def: StepFormView, values: Record<string, string>): [string, string][] {
  return def.fields
    .filter((x) => values[x.name])
    .map((x) => [x.label, x.options?.find(([o]) => o === values[x.name])?.[1] ?? values[x.name]!]);
}
