import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../src/policy/normalize.js';
import { compileFamily, TermMatcher } from '../../src/policy/term-matcher.js';

const matcher = new TermMatcher([
  ...compileFamily('toilet', { english: ['rest room', 'wc'], simplified: ['卫生间'], traditional: ['衛生間'] }),
  ...compileFamily('bathing-room', { english: ['shower'], simplified: ['浴室'], traditional: [] }),
  ...compileFamily('private-non-public', { english: ['home'], simplified: ['家'], traditional: [] }),
  ...compileFamily('public-other', { english: ['shop'], simplified: [], traditional: [] }),
]);
const matched = (tag: string) => matcher.match(normalizeText(tag));
/** Distinct zone:term pairs (a multi-word or traditional term compiles to several entries). */
const found = (tag: string) => [...new Set(matched(tag).map((t) => `${t.zone}:${t.term}`))];
const idOf = (term: string, words?: string) =>
  matcher.terms.find((t) => t.term === term && (words === undefined || t.words?.join(' ') === words))?.id;

describe('TermMatcher', () => {
  it('matches words, run-together forms and plurals', () => {
    expect(found('location/Rest-Room')).toEqual(['toilet:rest room']);
    expect(found('location/restrooms')).toEqual(['toilet:rest room']);
    expect(found('location/showers/2')).toEqual(['bathing-room:shower']);
    expect(found('location/shop')).toEqual(['public-other:shop']);
    expect(found('location/shops')).toEqual(['public-other:shop']);
    // Plural stripping needs more than 3 letters and not `ss`: `wcs` stays, `showerss` stays.
    expect(found('location/wcs')).toEqual([]);
    expect(found('location/showerss')).toEqual(['bathing-room:shower']);
    expect(found('location/b&b/lobby')).toEqual([]);
  });

  it('finds long sensitive terms inside run-together letters, across digits and separators', () => {
    expect(found('location/b1restroom2entrance')).toEqual(['toilet:rest room']);
    expect(found('location/rest2room')).toEqual(['toilet:rest room']);
    // Short or public terms are whole words only.
    expect(found('location/workshop')).toEqual([]);
    expect(found('location/bwc')).toEqual([]);
  });

  it('matches Chinese (simplified, traditional, percent-encoded) within one CJK run only', () => {
    // The traditional spelling compiles to the same simplified characters, so both entries match.
    const both = ['toilet:卫生间', 'toilet:衛生間'];
    expect(found('location/3F/卫生间')).toEqual(both);
    expect(found('location/衛生間')).toEqual(both);
    expect(found(`location/${encodeURIComponent('卫生间门口')}`)).toEqual(both);
    expect(found(`location/${encodeURIComponent(encodeURIComponent('衛生間'))}`)).toEqual(both);
    expect(found('location/卫生-间')).toEqual([]);
    expect(found('location/卫生a间')).toEqual([]);
  });

  it('matches a whole-segment term only as an entire CJK run', () => {
    expect(found('location/家')).toEqual(['private-non-public:家']);
    expect(found('location/a家b')).toEqual(['private-non-public:家']);
    expect(found('location/家具')).toEqual([]);
  });

  it('lists every entry once: word matches in tag order, then run-together, then CJK, each by term order', () => {
    const ids = (tag: string) => matched(tag).map((t) => t.id);
    const restRoom = idOf('rest room', 'rest room');
    const restroom = idOf('rest room', 'restroom');
    expect(ids('location/shower/rest room/shower/卫生间/浴室')).toEqual([
      idOf('shower'),
      restRoom,
      idOf('卫生间'),
      idOf('衛生間'),
      idOf('浴室'),
    ]);
    expect(ids('location/浴室卫生间/xrestroom/shop')).toEqual([
      idOf('shop'),
      restRoom,
      idOf('卫生间'),
      idOf('衛生間'),
      idOf('浴室'),
    ]);
    expect(ids('location/restrooms')).toEqual([restroom, restRoom]);
  });

  it('folds A-Z itself, so printable-ASCII tags need no lower-cased copy', () => {
    const raw = (tag: string) => [...new Set(matcher.match(tag).map((t) => `${t.zone}:${t.term}`))];
    expect(raw('Location/REST-Room')).toEqual(['toilet:rest room']);
    expect(raw('LOCATION/B1RESTROOMS')).toEqual(['toilet:rest room']);
    expect(raw('location/SHOWERS/WC')).toEqual(['toilet:wc', 'bathing-room:shower']);
  });

  it('keeps no state between tags', () => {
    expect(found('location/rest room')).toEqual(['toilet:rest room']);
    expect(found('location/lobby')).toEqual([]);
    expect(found('location/rests/rooms')).toEqual(['toilet:rest room']);
    expect(found('location/卫生间')).toEqual(['toilet:卫生间', 'toilet:衛生間']);
    expect(found('location/shop')).toEqual(['public-other:shop']);
  });
});
