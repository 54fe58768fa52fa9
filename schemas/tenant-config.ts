import { z } from 'zod';
import { page, Timestamp, Uuid } from './common.js';

// Per-tenant settings: a key and any JSON value, with a declared scalar type so consoles can render an editor.

export const CONFIG_KEY_PATTERN = /^[a-z][a-z0-9_.-]{0,99}$/;
export const ConfigKey = z.string().regex(CONFIG_KEY_PATTERN, 'must match ^[a-z][a-z0-9_.-]{0,99}$');

export const ConfigType = z.enum(['string', 'number', 'boolean', 'json']);
export type ConfigType = z.infer<typeof ConfigType>;

// Any JSON value: the body has been parsed from JSON already, so only absence needs refusing. (A recursive zod
// union would say the same, but renders as local $defs that an OpenAPI document cannot resolve.)
export const JsonValue = z.unknown().refine((value) => value !== undefined, { message: 'is required' })
  .describe('Any JSON value');

/** The type a value is stored as when the caller names none: its scalar kind, else json. */
export function configTypeOf(value: unknown): ConfigType {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'json';
}

/** Every value is JSON, so 'json' fits anything; a scalar type must be that scalar. */
function typeFits(type: ConfigType, value: unknown): boolean {
  return type === 'json' || type === configTypeOf(value);
}

export const PutConfigBody = z.object({
  config_value: JsonValue,
  config_type: ConfigType.optional().describe('Inferred from config_value when absent'),
}).strict().superRefine((body, ctx) => {
  if (body.config_type && !typeFits(body.config_type, body.config_value)) {
    ctx.addIssue({ code: 'custom', path: ['config_type'],
      message: `does not match config_value (a ${configTypeOf(body.config_value)})` });
  }
});
export type PutConfigBody = z.infer<typeof PutConfigBody>;

export const TenantConfigEntry = z.object({
  config_id: Uuid,
  tenant_id: Uuid,
  config_key: z.string(),
  config_value: JsonValue,
  config_type: ConfigType,
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const TenantConfigPage = page(TenantConfigEntry);

export const ConfigKeyParams = z.object({ key: ConfigKey });
export const TenantConfigKeyParams = z.object({ tenant_id: Uuid, key: ConfigKey });
