/** `<!DOCTYPE` or `<!ENTITY` (any case, whitespace allowed after `<!`), matched only where it starts (sticky). */
const DECLARATION_AT = /<!\s*(?:DOCTYPE|ENTITY)/iy;

/**
 * Whether the text declares a DTD or an entity. SOAP forbids both, so the answer is refused before any parsing.
 * Looks for `<!` first (a native search; an ONVIF answer rarely holds one) and tests the declaration only there:
 * a scan checks about two thousand answers and datagrams.
 */
export function declaresDoctype(text: string): boolean {
  for (let at = text.indexOf('<!'); at >= 0; at = text.indexOf('<!', at + 2)) {
    DECLARATION_AT.lastIndex = at;
    if (DECLARATION_AT.test(text)) return true;
  }
  return false;
}
