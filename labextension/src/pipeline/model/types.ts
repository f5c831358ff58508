/**
 * CWL v1.2 types: parse the type syntax (shortcuts `File[]`, `int?`, arrays, unions, records, enums),
 * print it, and decide whether a source may feed a sink (cwltool's static checker rules).
 */

export type CwlType =
  | { kind: 'primitive'; name: string }
  | { kind: 'array'; items: CwlType }
  | { kind: 'union'; types: CwlType[] }
  | { kind: 'record'; raw: unknown }
  | { kind: 'enum'; symbols: string[]; raw: unknown }
  /** A named type (SchemaDefRequirement) or anything else the editor does not check. */
  | { kind: 'unknown'; raw: unknown };

const PRIMITIVES = new Set([
  'null', 'boolean', 'int', 'long', 'float', 'double', 'string', 'File', 'Directory', 'Any'
]);

export const ANY: CwlType = { kind: 'primitive', name: 'Any' };
const NULL: CwlType = { kind: 'primitive', name: 'null' };

/** Parse a CWL type as written in a document (after YAML -> JS). */
export function parseType(raw: unknown): CwlType {
  if (raw === undefined || raw === null) {
    return ANY;
  }
  if (typeof raw === 'string') {
    let s = raw.trim();
    if (s.endsWith('?')) {
      return { kind: 'union', types: [NULL, parseType(s.slice(0, -1))] };
    }
    if (s.endsWith('[]')) {
      return { kind: 'array', items: parseType(s.slice(0, -2)) };
    }
    s = s.replace(/^(https:\/\/w3id\.org\/cwl\/salad#|http:\/\/www\.w3\.org\/2001\/XMLSchema#)/, '');
    if (s === 'stdout' || s === 'stderr') {
      return { kind: 'primitive', name: 'File' };
    }
    return PRIMITIVES.has(s) ? { kind: 'primitive', name: s } : { kind: 'unknown', raw };
  }
  if (Array.isArray(raw)) {
    const types = raw.map(parseType);
    return types.length === 1 ? types[0] : { kind: 'union', types };
  }
  if (typeof raw === 'object') {
    const t = (raw as Record<string, unknown>).type;
    if (t === 'array') {
      return { kind: 'array', items: parseType((raw as Record<string, unknown>).items) };
    }
    if (t === 'record') {
      return { kind: 'record', raw };
    }
    if (t === 'enum') {
      const symbols = ((raw as Record<string, unknown>).symbols as unknown[] | undefined) ?? [];
      return { kind: 'enum', symbols: symbols.map(s => String(s).split(/[#/]/).pop() ?? ''), raw };
    }
    return parseType(t);
  }
  return { kind: 'unknown', raw };
}

/** The type as a user reads it: `File`, `File[]`, `int?`, `enum(a|b)`, `File | Directory`. */
export function formatType(t: CwlType): string {
  switch (t.kind) {
    case 'primitive':
      return t.name;
    case 'array': {
      const inner = formatType(t.items);
      return (t.items.kind === 'union' ? `(${inner})` : inner) + '[]';
    }
    case 'union': {
      const rest = t.types.filter(x => !isNull(x));
      if (rest.length < t.types.length && rest.length === 1) {
        return formatType(rest[0]) + '?';
      }
      return t.types.map(formatType).join(' | ');
    }
    case 'record':
      return 'record';
    case 'enum':
      return `enum(${t.symbols.join('|')})`;
    default:
      return typeof t.raw === 'string' ? t.raw : 'unknown';
  }
}

function isNull(t: CwlType): boolean {
  return t.kind === 'primitive' && t.name === 'null';
}

/** True when the type admits null (an optional input). */
export function isOptional(t: CwlType): boolean {
  return isNull(t) || (t.kind === 'union' && t.types.some(isNull)) || (t.kind === 'primitive' && t.name === 'Any');
}

/** The type without its null member. */
export function withoutNull(t: CwlType): CwlType {
  if (t.kind !== 'union') {
    return t;
  }
  const rest = t.types.filter(x => !isNull(x));
  return rest.length === 1 ? rest[0] : { kind: 'union', types: rest };
}

export function arrayOf(t: CwlType, depth = 1): CwlType {
  let out = t;
  for (let i = 0; i < depth; i++) {
    out = { kind: 'array', items: out };
  }
  return out;
}

/** The element type when `t` is an array (possibly optional), else null. */
export function itemsOf(t: CwlType): CwlType | null {
  const base = withoutNull(t);
  return base.kind === 'array' ? base.items : null;
}

function sameStructure(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** cwltool's can_assign_src_to_sink (strict): every value of `src` is a valid value of `sink`. */
export function assignable(src: CwlType, sink: CwlType): boolean {
  if (src.kind === 'unknown' || sink.kind === 'unknown') {
    return true; // named types: cwltool checks them, we cannot
  }
  if (sink.kind === 'primitive' && sink.name === 'Any') {
    return !isNull(src);
  }
  if (src.kind === 'primitive' && src.name === 'Any') {
    return true;
  }
  if (src.kind === 'union') {
    return src.types.every(m => assignable(m, sink));
  }
  if (sink.kind === 'union') {
    return sink.types.some(m => assignable(src, m));
  }
  if (src.kind === 'array' && sink.kind === 'array') {
    return assignable(src.items, sink.items);
  }
  if (src.kind === 'primitive' && sink.kind === 'primitive') {
    return src.name === sink.name;
  }
  if (src.kind === 'enum' && sink.kind === 'enum') {
    return src.symbols.every(s => sink.symbols.includes(s));
  }
  if (src.kind === 'enum' && sink.kind === 'primitive') {
    return sink.name === 'string';
  }
  if (src.kind === 'record' && sink.kind === 'record') {
    return sameStructure(src.raw, sink.raw);
  }
  return false;
}

export interface ITypeCheck {
  level: 'ok' | 'warning' | 'error';
  message: string;
}

/** Whether a link from a port of type `src` into a port of type `sink` is allowed, and why not. */
export function checkLink(src: CwlType, sink: CwlType): ITypeCheck {
  if (assignable(src, sink)) {
    return { level: 'ok', message: '' };
  }
  if (isOptional(src) && assignable(withoutNull(src), sink)) {
    return {
      level: 'warning',
      message: `${formatType(src)} may be null but ${formatType(sink)} is required`
    };
  }
  const items = itemsOf(src);
  const hint = items && assignable(items, sink) ? ' (scatter the step over this input to run it once per item)' : '';
  return { level: 'error', message: `${formatType(src)} cannot feed ${formatType(sink)}${hint}` };
}

/** The type written back as CWL (shortcuts where CWL has them). */
export function toRaw(t: CwlType): unknown {
  switch (t.kind) {
    case 'primitive':
      return t.name;
    case 'array': {
      const items = toRaw(t.items);
      return typeof items === 'string' && !items.endsWith('?') ? `${items}[]` : { type: 'array', items };
    }
    case 'union': {
      const rest = t.types.filter(x => !isNull(x));
      if (rest.length === 1 && rest.length < t.types.length) {
        const inner = toRaw(rest[0]);
        if (typeof inner === 'string' && !inner.endsWith('?')) {
          return `${inner}?`;
        }
      }
      return t.types.map(toRaw);
    }
    default:
      return t.raw;
  }
}
