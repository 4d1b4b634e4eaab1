/**
 * Text normalisation for location tags: percent-decoding (UTF-8, else GBK/GB18030), NFKC, lower case, traditional →
 * simplified for the characters of the vocabulary, apostrophes dropped, and spaces between CJK characters removed
 * (`更 衣 室` is 更衣室). Never throws: bytes that decode to nothing valid become U+FFFD.
 */

/** Traditional → simplified, for the characters the vocabulary and the usual location words use. */
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
  廚: '厨',
  農: '农',
  樂: '乐',
  鐘: '钟',
  點: '点',
  養: '养',
  據: '据',
  監: '监',
  獄: '狱',
  飯: '饭',
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
  處: '处',
  戶: '户',
  於: '于',
  與: '与',
  蘭: '兰',
  廠: '厂',
  驗: '验',
  課: '课',
  類: '类',
  業: '业',
  後: '后',
  臺: '台',
  櫃: '柜',
  鋪: '铺',
  舖: '铺',
  娛: '娱',
  藝: '艺',
  練: '练',
  歲: '岁',
  兒: '儿',
  嬭: '奶',
  廬: '庐',
  齋: '斋',
  宮: '宫',
  訪: '访',
  問: '问',
  總: '总',
  統: '统',
  衞: '卫',
  沖: '冲',
  涼: '凉',
  臥: '卧',
  牀: '床',
  標: '标',
  準: '准',
  雙: '双',
  師: '师',
  親: '亲',
  棟: '栋',
  東: '东',
  側: '侧',
  餘: '余',
  貴: '贵',
  氣: '气',
  藥: '药',
  鄉: '乡',
  鎮: '镇',
  縣: '县',
  畫: '画',
  書: '书',
  劇: '剧',
  淨: '净',
  潔: '洁',
  紙: '纸',
  儲: '储',
  雜: '杂',
  備: '备',
  檔: '档',
  財: '财',
  經: '经',
  隊: '队',
  寶: '宝',
  產: '产',
  壓: '压',
  熱: '热',
  瑪: '玛',
  飲: '饮',
  碼: '码',
  邊: '边',
};

const T2S_CHARS = new RegExp(`[${Object.keys(T2S).join('')}]`, 'g');

export function toSimplified(value: string): string {
  return value.replace(T2S_CHARS, (ch) => T2S[ch] ?? ch);
}

const PERCENT_RUN = /(?:%[0-9a-fA-F]{2})+/g;
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });
const GB18030_STRICT = new TextDecoder('gb18030', { fatal: true });
const UTF8_LENIENT = new TextDecoder('utf-8');

/** One run of percent escapes: UTF-8 if the bytes are valid UTF-8, else GB18030 (a superset of GBK), else lenient. */
function decodeRun(run: string): string {
  const bytes = new Uint8Array(run.length / 3);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
  for (const decoder of [UTF8_STRICT, GB18030_STRICT]) {
    try {
      return decoder.decode(bytes);
    } catch {
      // not this encoding
    }
  }
  return UTF8_LENIENT.decode(bytes);
}

/** Percent-decodes every run of escapes; a lone `%` or bad hex stays as it is. */
export function decodePercent(value: string): string {
  return value.includes('%') ? value.replace(PERCENT_RUN, decodeRun) : value;
}

/** Single CJK characters typed with spaces between them (`更 衣 室`), not words that spaces separate (`对面 包间`). */
const SPACED_CJK = /(?<![\u3400-\u9fff])[\u3400-\u9fff](?:\s+[\u3400-\u9fff](?![\u3400-\u9fff]))+/gu;

/** Printable ASCII without `%` or quotes: normalising it only lower-cases it (most tags of a site). */
const PLAIN = /^[\x20-\x24\x26\x28-\x5f\x61-\x7e]*$/;

export function normalizeText(value: string): string {
  if (PLAIN.test(value)) return value.toLowerCase();
  let text = decodePercent(value);
  // Once more for double-encoded values (%25E5…), common after tools re-encode.
  if (/%[0-9a-fA-F]{2}/.test(text)) text = decodePercent(text);
  text = toSimplified(text.normalize('NFKC').toLowerCase());
  return text.replace(/['’‘`]/g, '').replace(SPACED_CJK, (run) => run.replace(/\s+/g, ''));
}
