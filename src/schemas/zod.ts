// The one zod instance of the project, extended with .openapi() metadata so that
// openapi/openapi.json can be generated from the same schemas that validate input.
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };

const asWritten = new WeakSet<z.ZodType>();

/**
 * A copy of `schema` for a field a response returns as the client wrote it, unparsed (sizes
 * like "8GiB" intact): the API document describes it by what a client may send.
 */
export function servedAsWritten<T extends z.ZodType>(schema: T): T {
  const marked = schema.clone();
  asWritten.add(marked);
  return marked;
}

export function isServedAsWritten(schema: z.ZodType): boolean {
  return asWritten.has(schema);
}
