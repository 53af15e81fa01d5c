/**
 * Cheap content checks on a citizen's description before it becomes a case: no text of
 * substance, one character repeated, or link spam are refused with a reason the client
 * can show. They are deliberately conservative: a short real report ("井盖丢了") passes.
 */
import { InvalidInputError } from '../kernel/index.ts';

const LINK = /\b(?:https?:\/\/|www\.)\S+/gi;
/** Letters and digits of any script (CJK included). */
const SUBSTANCE = /[\p{L}\p{N}]/gu;

/** Why a description looks like spam, or null when it is acceptable. */
export function spamReason(description: string): string | null {
  const text = description.trim();
  if (!text) return 'The description is empty.';
  const links = text.match(LINK) ?? [];
  if (links.length > 2) return 'The description contains too many links.';
  const withoutLinks = text.replace(LINK, ' ');
  const substance = withoutLinks.match(SUBSTANCE) ?? [];
  if (substance.length < 2) return 'The description says nothing about the problem.';
  if (substance.length >= 6 && new Set(substance.map((c) => c.toLowerCase())).size === 1)
    return 'The description repeats one character.';
  if (links.length > 0 && substance.length < 4) return 'The description is only a link.';
  return null;
}

/** Throws InvalidInput `open311.spam` when the description is refused. */
export function assertNotSpam(description: string): void {
  const reason = spamReason(description);
  if (reason) throw new InvalidInputError(reason, { field: 'description' }, 'open311.spam');
}
