/**
 * Tiny, allocation-light XML helpers for the simulator. The simulator never builds a DOM of what it receives:
 * it pulls a few elements out by local name with bounded regular expressions, so garbage input can only ever
 * yield "not found", never an exception or an entity expansion.
 */

export function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => {
    switch (c) {
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '&':
        return '&amp;';
      case '"':
        return '&quot;';
      default:
        return '&apos;';
    }
  });
}

/** Decodes the five predefined entities and numeric references; anything else is left as is (no DTDs). */
function unescapeXml(value: string): string {
  return value.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_m, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default: {
        const code = e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
      }
    }
  });
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Every element with this local name (any prefix): its prefix, attribute text and inner XML. Linear in the input:
 * open tags are found by one regex pass and each close tag by indexOf, so hostile input cannot make it backtrack.
 */
export function elements(xml: string, localName: string): Array<{ attrs: string; inner: string; prefix: string }> {
  const open = new RegExp(`<(?:([\\w.-]+):)?${escapeRegex(localName)}(?=[\\s/>])`, 'g');
  const out: Array<{ attrs: string; inner: string; prefix: string }> = [];
  let m: RegExpExecArray | null = open.exec(xml);
  while (m !== null && out.length < 1000) {
    const prefix = m[1] ?? '';
    const tagEnd = xml.indexOf('>', m.index);
    if (tagEnd < 0) break;
    const selfClosing = xml[tagEnd - 1] === '/';
    const attrs = xml.slice(m.index + m[0].length, selfClosing ? tagEnd - 1 : tagEnd);
    if (selfClosing) {
      out.push({ prefix, attrs, inner: '' });
      open.lastIndex = tagEnd + 1;
    } else {
      const close = `</${prefix ? `${prefix}:` : ''}${localName}`;
      const closeAt = xml.indexOf(close, tagEnd + 1);
      if (closeAt < 0) break;
      out.push({ prefix, attrs, inner: xml.slice(tagEnd + 1, closeAt) });
      open.lastIndex = closeAt + close.length;
    }
    m = open.exec(xml);
  }
  return out;
}

/** Trimmed, unescaped text of the first element with this local name, or undefined. */
export function textOf(xml: string, localName: string): string | undefined {
  const first = elements(xml, localName)[0];
  if (!first) return undefined;
  return unescapeXml(first.inner.replace(/<[^>]*>/g, '')).trim();
}

export function textsOf(xml: string, localName: string): string[] {
  return elements(xml, localName).map((e) => unescapeXml(e.inner.replace(/<[^>]*>/g, '')).trim());
}

export function attrOf(attrs: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)(?:[\\w.-]+:)?${escapeRegex(name)}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(attrs);
  if (!m) return undefined;
  return unescapeXml(m[1] ?? m[2] ?? '');
}

/** Namespace URI bound to a prefix anywhere in the document ('' = default namespace of the element). */
export function namespaceOf(xml: string, prefix: string, elementAttrs: string): string | undefined {
  if (prefix === '') {
    const own = /(?:^|\s)xmlns\s*=\s*"([^"]*)"/.exec(elementAttrs);
    if (own) return own[1];
    return /\sxmlns\s*=\s*"([^"]*)"/.exec(xml)?.[1];
  }
  const re = new RegExp(`\\sxmlns:${escapeRegex(prefix)}\\s*=\\s*"([^"]*)"`);
  return re.exec(elementAttrs)?.[1] ?? re.exec(xml)?.[1];
}
