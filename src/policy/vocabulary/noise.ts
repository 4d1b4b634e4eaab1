/**
 * Words that carry no zone: factory placeholders, path keys (`location/city/…`), building and floor designators,
 * camera names and filler words. They never decide a zone, and the matcher looks past them when it asks which
 * words stand next to each other ("toilet 2 entrance" is still a toilet's entrance).
 */

/** Vendor factory placeholder values (any location segment); the vendor profile adds its own paths. */
export const PLACEHOLDER_WORDS = [
  'hangzhou',
  'shenzhen',
  'beijing',
  'shanghai',
  'guangzhou',
  'china',
  'prc',
  'default',
  'gmt',
  'utc',
  'empty',
  'none',
  'null',
  'unknown',
  'unset',
  'location',
  'earth',
  'world',
  'asia',
  'somewhere',
];

/** Path levels that name what the next level is (`location/city/hangzhou`, `location/room/<name>`). */
export const PATH_KEYS = [
  'country',
  'city',
  'region',
  'province',
  'state',
  'district',
  'county',
  'timezone',
  'tz',
  'site',
  'building',
  'floor',
  'room',
  'area',
  'address',
  'position',
  'place',
  'unit',
];

/** Keys whose value is a room, so an unknown name there is an unknown room (never a mere site name). */
export const ROOM_KEYS = ['room'];

/** Latin filler: never a zone, skipped when looking for neighbours. */
export const STOP_WORDS = ['the', 'a', 'an', 'of', 'to', 'for', 'and', 'at', 'in', 'on', 'with', 'by', 'from', 'no'];

/** Latin words of building, floor and camera designators. */
export const NOISE_WORDS = [
  ...PLACEHOLDER_WORDS,
  ...PATH_KEYS,
  'level',
  'block',
  'wing',
  'tower',
  'zone',
  'section',
  'sector',
  'side',
  'corner',
  'space',
  'east',
  'west',
  'north',
  'south',
  'central',
  'centre',
  'center',
  'middle',
  'left',
  'right',
  'upper',
  'lower',
  'main',
  'new',
  'old',
  'camera',
  'cam',
  'ipc',
  'ipcam',
  'cctv',
  'channel',
  'ch',
  'nvr',
  'dvr',
  'video',
  'dome',
  'bullet',
  'ptz',
  'view',
  'no',
  'num',
  'number',
  'public',
  'general',
  'male',
  'female',
  'men',
  'women',
  'man',
  'woman',
  'staff',
  'employee',
  'guest',
  'customer',
  'visitor',
  'student',
];

/** Single CJK characters of designators and filler (楼 building, 层 floor, 号 number, 东 east, 的 of …). */
export const NOISE_CJK =
  '楼层号栋座幢单元区域侧东南西北中左右前后上下内里边一二三四五六七八九十零百第期的之及和与处个间段部男女';

/** The last character of a CJK word for a room (室 room, 间 compartment, 房 room, 厢 box, 舍 lodging, 屋 house, 厅 hall). */
export const ROOM_SUFFIXES = '室间房厢舍屋厅';
