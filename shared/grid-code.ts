/**
 * 单元网格 codes (Beijing DB11 rule): 6-digit district adcode + 3-digit street + 3-digit community
 * + 3-digit sequence, 15 digits in all. The older CJ/T 213 used 14 and is not accepted here.
 */
export interface GridCodeParts {
  district: string;
  street: string;
  community: string;
  sequence: number;
}

export const GRID_CODE_PATTERN = /^(\d{6})(\d{3})(\d{3})(\d{3})$/;

export function parseGridCode(code: string): GridCodeParts | null {
  const m = GRID_CODE_PATTERN.exec(code);
  if (!m) return null;
  const sequence = Number(m[4]);
  if (sequence === 0 || m[2] === '000' || m[3] === '000') return null;
  return { district: m[1]!, street: m[2]!, community: m[3]!, sequence };
}

export function formatGridCode(parts: GridCodeParts): string {
  const pad = (n: number | string, w: number) => String(n).padStart(w, '0');
  if (!/^\d{6}$/.test(parts.district)) throw new RangeError(`district adcode must be 6 digits: ${parts.district}`);
  for (const [name, v] of [
    ['street', parts.street],
    ['community', parts.community],
  ] as const) {
    if (!/^\d{1,3}$/.test(v) || Number(v) === 0) throw new RangeError(`${name} code must be 001–999: ${v}`);
  }
  if (!Number.isInteger(parts.sequence) || parts.sequence < 1 || parts.sequence > 999) {
    throw new RangeError(`sequence must be 1–999: ${parts.sequence}`);
  }
  return parts.district + pad(parts.street, 3) + pad(parts.community, 3) + pad(parts.sequence, 3);
}
