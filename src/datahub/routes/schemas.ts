/** Schema fragments the data hub's routes share: their tag, security and the `:id` parameter. */

/** The OpenAPI tag of every data hub route. */
export const tags = ['datahub'];
/** Bearer token or API key. */
export const security: Record<string, string[]>[] = [{ bearer: [] }, { apiKey: [] }];

/** The `:id` path parameter of a device. */
export const idParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 64 } },
} as const;
