/**
 * Walks the register schema to list the keys accepted at a path, so that an
 * unknown key can be answered with the nearest known one, and a value of the
 * wrong type with the keys it should have had.
 */
import type { z } from 'zod';
import type { PathSegment } from './problem.ts';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  getter?: () => z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
}

function def(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/**
 * Strips wrappers (optional, default, lazy, …) down to the schema that decides
 * the shape; in a union (a select option: a text or `{value, label}`), its
 * branch with keys, since only keys can be unknown or missing.
 */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 20; i++) {
    const d = def(current);
    if (d.innerType) current = d.innerType;
    else if (d.getter) current = d.getter();
    else if (d.type === 'pipe' && d.in) current = d.in;
    else if (d.type === 'union' && d.options) return d.options.map(unwrap).find((o) => def(o).type === 'object') ?? current;
    else return current;
  }
  return current;
}

function shapeAt(root: z.ZodType, path: readonly PathSegment[]): Record<string, z.ZodType> | undefined {
  let current = unwrap(root);
  for (const segment of path) {
    const d = def(current);
    if (typeof segment === 'number' && d.type === 'array' && d.element) current = unwrap(d.element);
    else if (typeof segment === 'string' && d.type === 'object' && d.shape?.[segment]) current = unwrap(d.shape[segment]);
    else return undefined;
  }
  const d = def(current);
  return d.type === 'object' ? d.shape : undefined;
}

export function knownKeys(root: z.ZodType, path: readonly PathSegment[]): string[] {
  return Object.keys(shapeAt(root, path) ?? {});
}

/** The keys that must be written at `path` (neither optional nor defaulted). */
export function requiredKeys(root: z.ZodType, path: readonly PathSegment[]): string[] {
  const optional = (s: z.ZodType): boolean => {
    const d = def(s);
    return d.type === 'optional' || d.type === 'default' || d.type === 'prefault' || (d.getter !== undefined && optional(d.getter()));
  };
  return Object.entries(shapeAt(root, path) ?? {})
    .filter(([, s]) => !optional(s))
    .map(([key]) => key);
}
