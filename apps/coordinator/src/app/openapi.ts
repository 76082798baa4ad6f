/** OpenAPI request bodies straight from the protocol's zod schemas (one source of truth). */
import { MESSAGES, type MessageKind } from '@unbox/protocol';
import { z } from 'zod';

export function schemaOf(kind: MessageKind): Record<string, unknown> {
  return z.toJSONSchema(MESSAGES[kind], { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
