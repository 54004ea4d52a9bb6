/**
 * Walks the register schema to list the keys accepted at a path, so that an
 * unknown key can be answered with the nearest known one.
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

/** Strips wrappers (optional, default, lazy, …) down to the schema that decides the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 20; i++) {
    const d = def(current);
    if (d.innerType) current = d.innerType;
    else if (d.getter) current = d.getter();
    else if (d.type === 'pipe' && d.in) current = d.in;
    else return current;
  }
  return current;
}

export function knownKeys(root: z.ZodType, path: readonly PathSegment[]): string[] {
  let current = unwrap(root);
  for (const segment of path) {
    const d = def(current);
    if (typeof segment === 'number' && d.type === 'array' && d.element) current = unwrap(d.element);
    else if (typeof segment === 'string' && d.type === 'object' && d.shape?.[segment]) current = unwrap(d.shape[segment]);
    else return [];
  }
  const d = def(current);
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}
