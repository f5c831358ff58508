/**
 * Parameter values as typed in the properties panel <-> CWL values (File/Directory objects, numbers, ...).
 */
import { CwlType, itemsOf, withoutNull } from '../model/types';

export type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

function scalar(text: string, t: CwlType): Parsed {
  const base = withoutNull(t);
  const name = base.kind === 'primitive' ? base.name : base.kind;
  switch (name) {
    case 'int':
    case 'long': {
      if (!/^[-+]?\d+$/.test(text.trim())) {
        return { ok: false, message: `"${text}" is not a whole number (${name}).` };
      }
      return { ok: true, value: parseInt(text, 10) };
    }
    case 'float':
    case 'double': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) {
        return { ok: false, message: `"${text}" is not a number (${name}).` };
      }
      return { ok: true, value: n };
    }
    case 'boolean':
      if (!['true', 'false'].includes(text.trim().toLowerCase())) {
        return { ok: false, message: `"${text}" is not true or false.` };
      }
      return { ok: true, value: text.trim().toLowerCase() === 'true' };
    case 'File':
    case 'Directory':
      return { ok: true, value: { class: name, location: text.trim() } };
    case 'enum':
      if (base.kind === 'enum' && !base.symbols.includes(text.trim())) {
        return { ok: false, message: `"${text}" is not one of ${base.symbols.join(', ')}.` };
      }
      return { ok: true, value: text.trim() };
    default:
      return { ok: true, value: text };
  }
}

/** Parse what the user typed; an empty field means "no value". Arrays: JSON, or items separated by commas. */
export function parseValue(text: string, t: CwlType): Parsed {
  if (text.trim() === '') {
    return { ok: true, value: undefined };
  }
  const items = itemsOf(t);
  if (items) {
    if (text.trim().startsWith('[')) {
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch {
        return { ok: false, message: 'The list is not valid JSON.' };
      }
    }
    const values: unknown[] = [];
    for (const part of text.split(',')) {
      const r = scalar(part.trim(), items);
      if (!r.ok) {
        return r;
      }
      values.push(r.value);
    }
    return { ok: true, value: values };
  }
  return scalar(text, t);
}

/** The value as the user types it back. */
export function valueText(v: unknown): string {
  if (v === undefined || v === null) {
    return '';
  }
  if (Array.isArray(v) && v.every(x => typeof x !== 'object' || (x && 'class' in x))) {
    return v.map(valueText).join(', ');
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.class === 'File' || o.class === 'Directory') {
      return String(o.location ?? o.path ?? '');
    }
    return JSON.stringify(v);
  }
  return String(v);
}
