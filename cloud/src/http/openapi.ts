import { z } from '@hono/zod-openapi';

/** What every route's OpenAPI description is built from: problem responses, JSON bodies and answers. */

export const Problem = z
  .object({
    type: z.string().url(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
  })
  .openapi('Problem');

/** The error responses every route may give, as problem details. */
export function problems(...codes: (400 | 401 | 402 | 403 | 404 | 409 | 410 | 413 | 415 | 429 | 503)[]) {
  return Object.fromEntries(
    codes.map((code) => [
      code,
      { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: Problem } } },
    ]),
  );
}

export const json = <T extends z.ZodType>(schema: T, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});
