/**
 * The events identity publishes and their payloads (docs/events.md). Ids travel, never
 * secrets or their hashes.
 */
import { defineEvents, type EventOf } from '../kernel/index.ts';

/**
 * What to drop from the caches: every credential of a user, or given sessions or API keys.
 * Ids, not secret hashes, travel on the bus.
 */
export interface PrincipalInvalidation {
  userId?: string;
  sessionIds?: string[];
  apiKeyIds?: string[];
}

/** `identity.user.created`: an account was created. */
export interface UserCreated {
  userId: string;
  username: string;
}

/** `identity.user.update`, `.disable`, `.enable`: an account changed. */
export interface UserChanged {
  userId: string;
}

/** `identity.session.created`: someone logged in. */
export interface SessionCreated {
  userId: string;
}

/** `identity.apikey.issued`: an API key was issued to an account. */
export interface ApiKeyIssued {
  keyId: string;
  userId: string;
}

/** `identity.apikey.revoked`: an API key was revoked. */
export interface ApiKeyRevoked {
  keyId: string;
}

/** Identity's event types and their payloads. */
export interface IdentityEventMap {
  'identity.user.created': UserCreated;
  'identity.user.update': UserChanged;
  'identity.user.disable': UserChanged;
  'identity.user.enable': UserChanged;
  'identity.session.created': SessionCreated;
  'identity.apikey.issued': ApiKeyIssued;
  'identity.apikey.revoked': ApiKeyRevoked;
  /** Cached principals to drop on every node; sent besides the change that made them stale. */
  'identity.principal_invalidated': PrincipalInvalidation;
}

/** Typed creation of and subscription to identity's events. */
export const identityEvents = defineEvents<IdentityEventMap>({
  'identity.user.created': true,
  'identity.user.update': true,
  'identity.user.disable': true,
  'identity.user.enable': true,
  'identity.session.created': true,
  'identity.apikey.issued': true,
  'identity.apikey.revoked': true,
  'identity.principal_invalidated': true,
});

/** Any event identity publishes. */
export type IdentityEvent = EventOf<IdentityEventMap>;
