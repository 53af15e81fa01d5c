/** Identity's tables (migrations in identity-migrations.ts), added to the kernel's `Database`. */
import type { Generated } from 'kysely';
import type { Timestamp } from '../kernel/index.ts';
import type { Permission, Role } from './permissions.ts';

/** `identity_user`: a person or a service account. */
export interface IdentityUserTable {
  id: string;
  username: string;
  display_name: string;
  kind: 'user' | 'service';
  password_hash: string | null;
  roles: Generated<Role[]>;
  department_codes: Generated<string[]>;
  division_codes: Generated<string[]>;
  phone: string | null;
  email: string | null;
  disabled_at: Timestamp | null;
  password_changed_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
}

/** `identity_session`: a login, by the hash of its token. */
export interface IdentitySessionTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  address: string | null;
}

/** `identity_api_key`: a service account's key, by its hash. */
export interface IdentityApiKeyTable {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  scopes: Permission[];
  created_at: Timestamp;
  created_by: string;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

/** `identity_login_throttle`: failed logins per key (account or address) and window. */
export interface IdentityLoginThrottleTable {
  key: string;
  failures: number;
  window_start: Timestamp;
  locked_until: Timestamp | null;
}

declare module '../kernel/index.ts' {
  interface Database {
    identity_user: IdentityUserTable;
    identity_session: IdentitySessionTable;
    identity_api_key: IdentityApiKeyTable;
    identity_login_throttle: IdentityLoginThrottleTable;
  }
}
