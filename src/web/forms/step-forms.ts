// The request page's step forms, built from the message catalogue (pure).
import { type RequestView } from '../../app/get-request.js';
import { MESSAGE_TYPES, STEP_MESSAGE_TYPES, type FormField } from '../../domain/messages.js';
import { labels } from '../labels.js';

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
    const fields = s.fields.map((f) =>
      f.name === 'ground' && v.declarationParties.length === 0
        ? { ...f, options: (f.options ?? []).filter(([g]) => g !== 'declaration') }
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
