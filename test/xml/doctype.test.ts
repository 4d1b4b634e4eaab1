import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { declaresDoctype } from '../../src/xml/doctype.js';

/** The plain regular expression the function replaced: it scanned every character of every answer. */
const SCANNING = /<!\s*(DOCTYPE|ENTITY)/i;

describe('declaresDoctype', () => {
  it('finds declarations anywhere, in any case, with whitespace after <!', () => {
    expect(declaresDoctype('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><x/>')).toBe(true);
    expect(declaresDoctype('<a/><!--c--><! \n\tentity x "y">')).toBe(true);
    expect(declaresDoctype('<a><![CDATA[<!x]]><!-- <!DOCTYP --></a>')).toBe(false);
    expect(declaresDoctype('')).toBe(false);
  });

  it('answers as the scanning expression does, on any text made of the pieces that matter', () => {
    const piece = fc.constantFrom('<', '!', '<!', ' ', '\n', 'DOCTYPE', 'doctype', 'ENTITY', 'Entit', 'Y', 'x', '>');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        expect(declaresDoctype(text)).toBe(SCANNING.test(text));
      }),
      { numRuns: 3000 },
    );
  });
});
