/**
 * Reading a multipart upload (form fields and image files) the same way for every upload
 * route: the citizen report and the staff media endpoint. Limits are enforced by
 * `@fastify/multipart` while streaming; its errors become domain errors (413).
 */
import type { FastifyRequest } from 'fastify';
import { assertFitInput, PayloadTooLargeError } from '../kernel/index.ts';

/** A photo as the upload delivered it: bytes and the type the client declared. */
export interface UploadedPhoto {
  data: Buffer;
  declaredType: string | undefined;
}

/** The limits a route registered `@fastify/multipart` with, for the error messages. */
export interface UploadLimits {
  maxBytes: number;
  maxFiles: number;
}

/** The `@fastify/multipart` limits of an image upload route. */
export function multipartLimits(limits: UploadLimits) {
  return { fileSize: limits.maxBytes, files: limits.maxFiles, fields: 40, fieldSize: 16 * 1024, parts: 60 };
}

/** Reads every part: text fields (repeated names become arrays) and files. */
export async function readMultipart(
  request: FastifyRequest,
  limits: UploadLimits,
): Promise<{ fields: Record<string, unknown>; files: UploadedPhoto[] }> {
  const fields: Record<string, unknown> = {};
  const files: UploadedPhoto[] = [];
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        files.push({ data: await part.toBuffer(), declaredType: part.mimetype });
      } else {
        const v = part.value;
        const prev = fields[part.fieldname];
        fields[part.fieldname] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
      }
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE')
      throw new PayloadTooLargeError(
        `A photo may be at most ${Math.floor(limits.maxBytes / 1024)} KiB.`,
        'upload.too_large',
        { maxBytes: limits.maxBytes },
      );
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
      throw new PayloadTooLargeError(
        `At most ${limits.maxFiles} photo(s) per upload.`,
        'upload.too_many_files',
      );
    throw e;
  }
  // The kernel checks parsed bodies before the handler; a multipart body is read here.
  assertFitInput(fields, 'body');
  return { fields, files };
}
