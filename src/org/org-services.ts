/** What the org capability's instance hands to its dependents (cases, datahub, participation). */
import { capabilityKey, type Db } from '../kernel/index.ts';
import type { DivisionIndex, LocatedChain } from './division-index.ts';
import type { DivisionLevel } from './division-levels.ts';
import type { PublicDivisions } from './public-divisions.ts';
import type { Responsibility } from './responsibility-list.ts';

export interface OrgServices {
  /** The divisions holding a point in this app's city, or null outside it (docs/divisions.md). */
  locate(lat: number, lon: number): LocatedChain | null;
  /** This app's current division index. */
  divisions(): DivisionIndex;
  /** Rebuilds the index now (a bulk change that must be placeable before its event arrives). */
  reloadDivisions(): Promise<void>;
  /** Division outlines for the public, cached until the divisions change. */
  publicDivisions(level?: DivisionLevel): Promise<PublicDivisions>;
  /**
   * Who is responsible for a category at a division; with `listVersion`, the answer at that
   * version from this app's cache (no read once the version's rules are loaded).
   */
  resolveResponsibility(
    db: Db,
    categoryCode: string,
    divisionCode: string,
    listVersion?: number,
  ): Promise<Responsibility>;
}

/** The key of the org capability's services. */
export const ORG = capabilityKey<OrgServices>('org');
