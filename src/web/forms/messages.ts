// A problem's message as an officer reads it next to a field: no JSON paths,
// no rule ids or codes in parentheses (the field itself says where; R19).
const PATH_IN_PARENS = /\s*\((?:[A-Za-z_]+(?:\[\d+\])?)(?:\.[A-Za-z_]+(?:\[\d+\])?)*\)/g;
const RULE_IN_PARENS = /\s*\(R[0-9A-Za-z.-]*(?:\.[a-z_]+)?\)/g;

export function cleanMessage(message: string): string {
  return message
    .replace(RULE_IN_PARENS, '')
    .replace(PATH_IN_PARENS, '')
    .replace(/\s*\(документ\)/g, '')
    .trim();
}
