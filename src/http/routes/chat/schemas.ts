import { EX } from '../../examples.ts';
import { z } from '../../schemas.ts';

/** A freshly made link code: in this response only, never again. */
export function linkCodeSchema(name: string, instructions: string) {
  return z
    .object({
      code: z.string().openapi({ example: 'PB-7KQ2-M9XD-4HTW' }),
      expiresAt: z.iso.datetime().openapi({ example: EX.later }),
      instructions: z.string().openapi({ example: `${instructions} PB-7KQ2-M9XD-4HTW` }),
    })
    .openapi(name);
}

/** What a created code answers: no caching anywhere, the code is a credential for 30 minutes. */
export function linkCodeCreated(code: string, expiresAt: Date, instructions: string) {
  return {
    status: 201 as const,
    headers: { 'Cache-Control': 'no-store' },
    body: { code, expiresAt: expiresAt.toISOString(), instructions: `${instructions} ${code}` },
  };
}
