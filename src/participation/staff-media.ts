/**
 * Photo evidence of staff — handling (处置), verification (核查) and grid patrol reports.
 * A photo is uploaded first and the action cites the reference it gets back
 * (`/api/v1/media/<sha256>.<ext>`). It goes through the same content check and metadata
 * stripping as citizens' photos, but lives in its own store (`<UPLOAD_DIR>/staff`) that
 * the public media route never reads.
 *
 * Reading is deliberately simple: a photo is shown through the case that cites it. The
 * caller names the case (`?case=<id or number>`); they must be able to see that case (the
 * case engine's visibility: staff in its jurisdiction, a citizen their own report), and the
 * case must cite the photo (in its media or in the evidence of an action in its history).
 * Anything else answers 404, so a name alone discloses nothing.
 */
import { caseReadReach, getCase, getCaseHistory } from '../cases/index.ts';
import { hasPermission, type Permission, type Principal } from '../identity/index.ts';
import { ForbiddenError, InvalidInputError, NotFoundError, UnauthenticatedError } from '../kernel/index.ts';
import type { ImageType } from './image-sanitizer.ts';
import { isMediaName, storePhoto } from './media-store.ts';
import type { UploadedPhoto } from './multipart-upload.ts';
import type { Participation } from './participation-context.ts';

/** Where staff media is served; a stored reference is this path plus the content name. */
export const STAFF_MEDIA_PATH = '/api/v1/media';

/** Who may upload: whoever handles (departments), verifies or patrols (supervision, grid workers). */
export const MEDIA_UPLOAD_PERMISSIONS: readonly Permission[] = ['case.handle', 'case.verify'];

/** What an upload answers: the content name and the reference to cite as evidence. */
export interface MediaReference {
  id: string;
  url: string;
  type: ImageType;
  size: number;
}

/** Throws unless the principal may upload evidence: 401 anonymous, 403 `media.forbidden`. */
export function assertMayUploadStaffMedia(principal: Principal): void {
  if (principal.kind === 'anonymous') throw new UnauthenticatedError();
  if (!MEDIA_UPLOAD_PERMISSIONS.some((perm) => hasPermission(principal, perm)))
    throw new ForbiddenError(
      'Only staff who handle, verify or patrol may upload evidence.',
      'media.forbidden',
      { permissions: MEDIA_UPLOAD_PERMISSIONS },
    );
}

/** Stores one staff photo (checked by content, metadata removed) and returns its reference. */
export async function uploadStaffMedia(
  p: Participation,
  principal: Principal,
  files: UploadedPhoto[],
): Promise<MediaReference> {
  assertMayUploadStaffMedia(principal);
  if (files.length !== 1)
    throw new InvalidInputError(
      'Send exactly one photo, in the field `file`.',
      { field: 'file' },
      'media.one_file',
    );
  const stored = await storePhoto(p.staffMedia, files[0]);
  return { id: stored.name, url: `${STAFF_MEDIA_PATH}/${stored.name}`, type: stored.type, size: stored.size };
}

const notFound = (name: string) => new NotFoundError(`No media ${name}.`, 'media.not_found');

/** Whether a case's media or the evidence of an action in its history cites the reference. */
async function caseCites(p: Participation, principal: Principal, caseRef: string, url: string) {
  const c = await getCase(p.kernel.db, principal, caseRef);
  if (c.media.includes(url)) return true;
  const { entries } = await getCaseHistory(p.kernel.db, principal, c.id);
  return entries.some((e) => Array.isArray(e.params.evidence) && e.params.evidence.includes(url));
}

/** The bytes of a staff photo, for a caller who can see a case that cites it; 404 otherwise (401/403 for who may read no case). */
export async function readStaffMedia(
  p: Participation,
  principal: Principal,
  name: string,
  caseRef: string | undefined,
): Promise<{ data: Buffer; type: ImageType }> {
  // Whoever may read cases, before anything about the photo is looked at.
  caseReadReach(principal);
  if (!isMediaName(name) || !caseRef) throw notFound(name);
  if (!(await caseCites(p, principal, caseRef, `${STAFF_MEDIA_PATH}/${name}`))) throw notFound(name);
  const found = await p.staffMedia.get(name);
  if (!found) throw notFound(name);
  return found;
}
