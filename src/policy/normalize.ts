/** Text normalisation for location tags: defensive percent-decoding, NFKC, lower case, traditional → simplified. */

/** Traditional → simplified for the characters of the known zone terms and modifiers (regulation.md §4). */
const T2S: Record<string, string> = {
  賓: '宾',
  館: '馆',
  間: '间',
  棧: '栈',
  廂: '厢',
  學: '学',
  寢: '寝',
  員: '员',
  職: '职',
  衛: '卫',
  廁: '厕',
  換: '换',
  試: '试',
  嬰: '婴',
  軍: '军',
  區: '区',
  國: '国',
  機: '机',
  關: '关',
  單: '单',
  門: '门',
  廣: '广',
  場: '场',
  橋: '桥',
  樑: '梁',
  體: '体',
  醫: '医',
  車: '车',
  鐵: '铁',
  倉: '仓',
  庫: '库',
  辦: '办',
  樓: '楼',
  層: '层',
  廳: '厅',
  務: '务',
  無: '无',
  礙: '碍',
  診: '诊',
  療: '疗',
  妝: '妆',
  購: '购',
  會: '会',
  運: '运',
  頭: '头',
  駐: '驻',
  營: '营',
  黨: '党',
  隱: '隐',
  護: '护',
  檢: '检',
  裡: '里',
  內: '内',
  浴: '浴',
  澡: '澡',
  盥: '盥',
  廚: '厨',
  寓: '寓',
  農: '农',
  樂: '乐',
  鐘: '钟',
  點: '点',
  淋: '淋',
  養: '养',
  據: '据',
  監: '监',
  獄: '狱',
  飯: '饭',
  廳堂: '厅堂',
  客: '客',
  貨: '货',
  線: '线',
  號: '号',
  遊: '游',
  覽: '览',
  園: '园',
  術: '术',
  電: '电',
  險: '险',
  長: '长',
  廊: '廊',
  處: '处',
  戶: '户',
  於: '于',
  與: '与',
  蘭: '兰',
  禁: '禁',
  廠: '厂',
  驗: '验',
  課: '课',
  類: '类',
  業: '业',
  後: '后',
  臺: '台',
  台: '台',
  櫃: '柜',
  鋪: '铺',
  舖: '铺',
  蒸: '蒸',
  汗: '汗',
  區域: '区域',
  娛: '娱',
  藝: '艺',
  練: '练',
  歲: '岁',
  兒: '儿',
  童: '童',
  嬭: '奶',
  廬: '庐',
  齋: '斋',
  舍: '舍',
  宮: '宫',
  層樓: '层楼',
  訪: '访',
  問: '问',
  總: '总',
  統: '统',
  車廂: '车厢',
};

const PERCENT_RUN = /(?:%[0-9a-fA-F]{2})+/g;
const UTF8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Percent-decodes every valid run of escapes; invalid sequences (bad hex, truncated or non-UTF-8 bytes) are left
 * as they are instead of throwing, so a hostile scope can never break classification.
 */
export function decodePercent(value: string): string {
  if (!value.includes('%')) return value;
  return value.replace(PERCENT_RUN, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    // Non-fatal decoder: bad bytes become U+FFFD, the valid characters around them survive.
    return UTF8.decode(bytes);
  });
}

/** The characters T2S changes (its multi-character keys never matched a single character, so they are left out). */
const T2S_CHARS = new RegExp(
  `[${Object.keys(T2S)
    .filter((k) => k.length === 1 && T2S[k] !== k)
    .join('')}]`,
  'g',
);

export function toSimplified(value: string): string {
  // One regex pass instead of rebuilding the string character by character; unchanged strings are returned as is.
  return value.replace(T2S_CHARS, (ch) => T2S[ch] ?? ch);
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/u;

export function isCjk(ch: string): boolean {
  return CJK.test(ch);
}

/** decode → NFKC → lower case → traditional→simplified; apostrophes dropped (men's → mens). */
const PLAIN_ASCII = /^[\x20-\x24\x26\x28-\x5f\x61-\x7e]*$/;

/** PLAIN_ASCII plus CJK Unified Ideographs (not the compatibility block, which NFKC rewrites). */
const PLAIN_ASCII_CJK = /^[\x20-\x24\x26\x28-\x5f\x61-\x7e\u3400-\u9fff]*$/;

/** Printable ASCII without `%`, apostrophes or backticks: normalizeText only lower-cases it. */
export function isPlainAscii(value: string): boolean {
  return PLAIN_ASCII.test(value);
}

export function normalizeText(value: string): string {
  // Fast path: printable ASCII without `%`, apostrophes or backticks needs only lower-casing.
  if (PLAIN_ASCII.test(value)) return value.toLowerCase();
  // The same with Chinese: NFKC leaves these characters alone (no decompositions, no combining marks), so only
  // lower-casing and traditional→simplified remain.
  if (PLAIN_ASCII_CJK.test(value)) return toSimplified(value.toLowerCase());
  // Decode twice at most: double-encoded scopes (%25E5…) are common after tools re-encode.
  let decoded = decodePercent(value);
  if (/%[0-9a-fA-F]{2}/.test(decoded)) decoded = decodePercent(decoded);
  return toSimplified(decoded.normalize('NFKC').toLowerCase()).replace(/['’‘`]/g, '');
}
