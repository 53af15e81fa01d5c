/**
 * The location rule of the public faces. A citizen's report may sit at their own door, so
 * no public answer carries the reported point: Open311 GET, the public board and their
 * exports give the centre of the ~200 m cell (0.002° × 0.002°) holding it, and no address.
 * Callers whose api_key may read cases (staff apps) see the exact point and address.
 */

/** Cell size in degrees of the public location grid. */
export const PUBLIC_CELL_DEGREES = 0.002;

/** The centre of the grid cell holding a point. */
export function coarsenPoint(
  lat: number,
  lon: number,
  cell = PUBLIC_CELL_DEGREES,
): { lat: number; lon: number } {
  const snap = (v: number) => Number(((Math.floor(v / cell) + 0.5) * cell).toFixed(6));
  return { lat: snap(lat), lon: snap(lon) };
}

const PHONE = /(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}|\b0\d{2,3}[-\s]?\d{7,8}\b/g;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const ID_CARD = /\b\d{17}[\dXx]\b/g;

/** Masks phone numbers, e-mail addresses and ID card numbers a citizen typed into free text. */
export function redactContactDetails(text: string): string {
  return text.replace(ID_CARD, '[已隐去]').replace(PHONE, '[已隐去]').replace(EMAIL, '[已隐去]');
}
