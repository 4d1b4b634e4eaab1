import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CamwardenError, ErrorCode } from '../../src/util/errors.js';
import { parseXml, type XmlNode } from '../../src/xml/index.js';
import { fixture, KOTLIN } from '../onvif/fixtures.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(CamwardenError);
    return (err as CamwardenError).code;
  }
}

describe('parseXml', () => {
  it('keeps names, prefixes, attributes and text verbatim', () => {
    const root = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?><tds:R xmlns:tds="urn:d" a="x&amp;y"><tds:SerialNumber>000123456789012345</tds:SerialNumber><HardwareId>0727</HardwareId><e/></tds:R>',
    );
    expect(root.name).toBe('tds:R');
    expect(root.local).toBe('R');
    expect(root.attrs).toEqual({ 'xmlns:tds': 'urn:d', a: 'x&y' });
    expect(root.children.map((c) => [c.local, c.text])).toEqual([
      ['SerialNumber', '000123456789012345'],
      ['HardwareId', '0727'],
      ['e', ''],
    ]);
  });

  it('decodes the predefined entities, character references and CDATA; unknown references stay literal', () => {
    const root = parseXml('<a>&lt;&#x41;&#66;&nbsp;&#0;<![CDATA[<raw>&amp;]]></a>');
    expect(root.text).toBe('<AB&nbsp;&#0;<raw>&amp;');
  });

  it.each([
    ['an unclosed element', '<a><b></a>'],
    ['a missing end tag', '<a>'],
    ['two roots', '<a/><b/>'],
    ['text outside the root', 'not xml at all'],
    ['a duplicate attribute', '<a x="1" x="2"/>'],
    ['an unquoted attribute', '<a x=1/>'],
    ['an empty document', ''],
  ])('refuses %s as invalid XML', (_what, xml) => {
    expect(codeOf(() => parseXml(xml))).toBe(ErrorCode.InvalidXml);
  });

  it('refuses any DOCTYPE, before an entity can expand', () => {
    const bomb = `<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>`;
    expect(codeOf(() => parseXml(bomb))).toBe(ErrorCode.DoctypeRefused);
    expect(codeOf(() => parseXml('<x><!DOCTYPE x></x>'))).not.toBeUndefined();
  });

  it('caps nesting depth and size', () => {
    const deep = `${'<a>'.repeat(60)}${'</a>'.repeat(60)}`;
    expect(codeOf(() => parseXml(deep))).toBe(ErrorCode.InvalidXml);
    expect(parseXml(deep, { maxDepth: 64 }).local).toBe('a');
    expect(codeOf(() => parseXml(`<a>${'x'.repeat(2000)}</a>`, { maxBytes: 1000 }))).toBe(ErrorCode.ResponseTooLarge);
  });

  it('parses a real capture', () => {
    const envelope = parseXml(fixture(`${KOTLIN}/deviceInfo.xml`));
    expect(envelope.local).toBe('Envelope');
  });

  // A tree → text → tree round trip over generated documents: nothing is lost, reordered or re-typed.
  const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,6}$/);
  const qname = fc.tuple(fc.option(name, { nil: undefined }), name).map(([p, l]) => (p ? `${p}:${l}` : l));
  const text = fc.string({ maxLength: 12 }).map((s) => s.replace(/[^\t\n\x20-\uD7FF\uE000-\uFFFD]/g, ''));
  const escapeXml = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  type Tree = { name: string; attrs: Record<string, string>; text: string; children: Tree[] };
  const treeOf = (depth: number): fc.Arbitrary<Tree> =>
    fc.record({
      name: qname,
      attrs: fc.dictionary(name, text, { maxKeys: 3 }),
      text,
      children: depth === 0 ? fc.constant([]) : fc.array(treeOf(depth - 1), { maxLength: 3 }),
    });
  const tree = treeOf(4);
  const serialize = (t: Tree): string =>
    `<${t.name}${Object.entries(t.attrs)
      .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
      .join('')}>${escapeXml(t.text)}${t.children.map(serialize).join('')}</${t.name}>`;
  const strip = (n: XmlNode): Tree => ({
    name: n.name,
    attrs: n.attrs,
    text: n.text,
    children: n.children.map(strip),
  });

  it('round-trips generated documents exactly', () => {
    fc.assert(
      fc.property(tree, (t) => {
        const back = strip(parseXml(serialize(t), { maxDepth: 64 }));
        // Attribute values are normalised by XML itself (tabs/newlines → spaces); compare after the same rule.
        const normalise = (x: Tree): Tree => ({
          ...x,
          attrs: Object.fromEntries(Object.entries(x.attrs).map(([k, v]) => [k, v.replace(/[\t\n]/g, ' ')])),
          children: x.children.map(normalise),
        });
        expect(back).toEqual(normalise(t));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but a CamwardenError on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          tree.map(serialize).map((s) => s.slice(0, -3)),
        ),
        (input) => {
          try {
            parseXml(input);
          } catch (err) {
            expect(err).toBeInstanceOf(CamwardenError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
