/**
 * Zone synonyms (regulation.md §4) in English, simplified and traditional Chinese. Traditional forms are listed
 * for documentation and tests; matching converts them to simplified first (normalize.ts).
 */

/** Zones where cameras are allowed (or, for private-non-public, outside the regulation's public duties). */
export const PUBLIC_ZONE_IDS = [
  'public-infrastructure',
  'crowded-place',
  'transport-hub',
  'public-vehicle',
  'service-area',
  'public-other',
  'private-non-public',
] as const;

export const ZONE_IDS = [
  'hotel-room',
  'homestay-room',
  'private-dining-room',
  'student-dormitory',
  'staff-dormitory',
  'staff-rest-room',
  'bathing-room',
  'toilet',
  'changing-room',
  'fitting-room',
  'lactation-room',
  'privacy-sensitive-other',
  'military-restricted-adjacent',
  'military-management-adjacent',
  'state-organ-adjacent',
  'confidential-unit-adjacent',
  ...PUBLIC_ZONE_IDS,
  'unknown',
] as const;
export type ZoneId = (typeof ZONE_IDS)[number];

export interface SynonymFamily {
  english: string[];
  simplified: string[];
  traditional: string[];
}

export const ZONE_SYNONYMS: Record<Exclude<ZoneId, 'unknown'>, SynonymFamily> = {
  'hotel-room': {
    english: [
      'hotel room',
      'guest room',
      'guestroom',
      'suite',
      'motel room',
      'inn room',
      'hostel room',
      'serviced apartment',
      'hotel guest room',
    ],
    simplified: ['客房', '酒店客房', '宾馆客房', '旅馆房间', '套房', '钟点房', '招待所房间', '酒店房间', '宾馆房间'],
    traditional: ['賓館客房', '酒店房間', '旅館房間', '鐘點房'],
  },
  'homestay-room': {
    english: [
      'homestay',
      'b&b',
      'bnb',
      'bed and breakfast',
      'guesthouse',
      'guest house',
      'airbnb',
      'short term rental',
      'holiday let',
    ],
    simplified: ['民宿', '民宿房间', '客栈', '农家乐客房', '短租房', '日租房'],
    traditional: ['民宿房間', '客棧', '農家樂客房'],
  },
  'private-dining-room': {
    english: ['private dining room', 'private dining', 'private room', 'vip room', 'banquet room'],
    simplified: ['包间', '包厢', '雅间', '包房'],
    traditional: ['包間', '包廂', '雅間'],
  },
  'student-dormitory': {
    english: ['dorm', 'dormitory', 'residence hall', 'student housing', 'student dormitory', 'student dorm'],
    simplified: ['学生宿舍', '宿舍', '寝室', '学生公寓'],
    traditional: ['學生宿舍', '寢室', '學生公寓'],
  },
  'staff-dormitory': {
    english: [
      'staff quarters',
      'employee housing',
      'staff dormitory',
      'staff dorm',
      'employee dormitory',
      'worker dormitory',
    ],
    simplified: ['员工宿舍', '职工宿舍', '集体宿舍'],
    traditional: ['員工宿舍', '職工宿舍', '集體宿舍'],
  },
  'staff-rest-room': {
    english: [
      'on call room',
      'oncall room',
      'nap room',
      'break room',
      'staff rest room',
      'staff room',
      'rest room for staff',
    ],
    simplified: ['值班室', '休息室', '午休室', '员工休息室'],
    traditional: ['員工休息室'],
  },
  'bathing-room': {
    english: [
      'shower',
      'shower room',
      'showers',
      'bathhouse',
      'public bath',
      'bath',
      'sauna',
      'spa',
      'steam room',
      'bathing room',
    ],
    simplified: ['浴室', '公共浴室', '淋浴间', '淋浴', '澡堂', '洗浴中心', '洗浴', '桑拿', '汗蒸房', '汗蒸'],
    traditional: ['淋浴間', '洗浴中心'],
  },
  toilet: {
    english: [
      'toilet',
      'restroom',
      'rest room',
      'washroom',
      'wc',
      'lavatory',
      'loo',
      'mens room',
      'ladies room',
      'womens room',
      'bathroom',
      'men room',
      'ladies',
      'gents',
      'water closet',
    ],
    simplified: ['卫生间', '厕所', '洗手间', '公厕', '盥洗室', '男厕', '女厕', '无障碍卫生间', '第三卫生间', '厕'],
    traditional: ['衛生間', '廁所', '洗手間', '公廁', '男廁', '女廁', '無障礙衛生間'],
  },
  'changing-room': {
    english: [
      'changing room',
      'changingroom',
      'locker room',
      'lockerroom',
      'dressing room',
      'change room',
      'changeroom',
      'locker',
    ],
    simplified: ['更衣室', '更衣间', '换衣间', '更衣'],
    traditional: ['更衣間', '換衣間'],
  },
  'fitting-room': {
    english: ['fitting room', 'fittingroom', 'try on room', 'tryon room', 'fitting cubicle'],
    simplified: ['试衣间', '试衣室', '试衣'],
    traditional: ['試衣間', '試衣室'],
  },
  'lactation-room': {
    english: [
      'nursing room',
      'lactation room',
      'mothers room',
      'mother room',
      'baby care room',
      'babycare room',
      'lactation',
    ],
    simplified: ['哺乳室', '母婴室', '母婴间', '哺乳'],
    traditional: ['母嬰室', '母嬰間'],
  },
  'privacy-sensitive-other': {
    english: [
      'exam room',
      'examination room',
      'ward',
      'massage room',
      'makeup room',
      'treatment room',
      'consulting room',
    ],
    simplified: ['诊室', '诊疗室', '检查室', '病房', '按摩室', '化妆间', '化妆室', '治疗室'],
    traditional: ['診室', '檢查室', '化妝間', '化妝室'],
  },
  'military-restricted-adjacent': {
    english: [
      'military restricted zone',
      'military exclusion zone',
      'military restricted',
      'military restricted adjacent',
    ],
    simplified: ['军事禁区'],
    traditional: ['軍事禁區'],
  },
  'military-management-adjacent': {
    english: [
      'military management zone',
      'military management',
      'barracks',
      'military base',
      'military management adjacent',
    ],
    simplified: ['军事管理区', '营区', '部队驻地'],
    traditional: ['軍事管理區', '營區', '部隊駐地'],
  },
  'state-organ-adjacent': {
    english: ['government office', 'state organ', 'government building', 'state organ adjacent'],
    simplified: ['国家机关', '党政机关', '政府机关'],
    traditional: ['國家機關', '黨政機關', '政府機關'],
  },
  'confidential-unit-adjacent': {
    english: ['classified facility', 'confidential unit', 'confidential unit adjacent'],
    simplified: ['涉密单位', '保密单位', '要害部位'],
    traditional: ['涉密單位', '保密單位'],
  },
  'public-infrastructure': {
    english: ['road', 'street', 'bridge', 'tunnel', 'underpass', 'square', 'plaza', 'public infrastructure', 'highway'],
    simplified: ['主要路段', '道路', '桥梁', '隧道', '地下通道', '广场', '街道'],
    traditional: ['橋樑', '廣場'],
  },
  'crowded-place': {
    english: [
      'mall',
      'shopping centre',
      'shopping center',
      'exhibition centre',
      'exhibition center',
      'scenic area',
      'stadium',
      'cinema',
      'school',
      'hospital',
      'service hall',
      'park',
      'car park',
      'parking',
      'crowded place',
    ],
    simplified: [
      '商场',
      '购物中心',
      '会展中心',
      '景区',
      '体育馆',
      '影院',
      '学校',
      '医院',
      '政务服务大厅',
      '公园',
      '停车场',
    ],
    traditional: ['商場', '購物中心', '會展中心', '體育館', '學校', '醫院', '公園', '停車場'],
  },
  'transport-hub': {
    english: [
      'port of entry',
      'airport',
      'ferry terminal',
      'railway station',
      'train station',
      'bus station',
      'metro station',
      'subway station',
      'transport hub',
    ],
    simplified: ['口岸', '机场', '客运站', '火车站', '汽车站', '地铁站', '码头'],
    traditional: ['機場', '客運站', '火車站', '汽車站', '地鐵站', '碼頭'],
  },
  'public-vehicle': {
    english: ['train', 'bus', 'metro car', 'subway car', 'passenger ship', 'public vehicle', 'coach'],
    simplified: ['列车', '客车', '公交', '地铁车厢', '客船'],
    traditional: ['列車', '客車', '地鐵車廂'],
  },
  'service-area': {
    english: ['service area', 'rest area', 'services'],
    simplified: ['服务区'],
    traditional: ['服務區'],
  },
  'public-other': {
    english: [
      'lobby',
      'shop floor',
      'shop',
      'store',
      'office lobby',
      'hotel lobby',
      'corridor',
      'hallway',
      'entrance',
      'reception',
      'common area',
      'public other',
      'front desk',
      'checkout',
    ],
    simplified: ['大堂', '大厅', '走廊', '门口', '入口', '商铺', '前台', '收银台', '店铺'],
    traditional: ['大廳', '門口', '商鋪', '前臺', '店鋪'],
  },
  'private-non-public': {
    english: [
      'home',
      'residence',
      'back office',
      'warehouse',
      'server room',
      'office',
      'private non public',
      'private',
    ],
    simplified: ['住宅', '家', '办公室', '仓库', '机房'],
    traditional: ['辦公室', '倉庫', '機房'],
  },
};

/** Qualifiers meaning "at / outside the zone, not inside it": a blocked zone becomes a review flag. */
export const MODIFIERS: SynonymFamily = {
  english: ['entrance', 'corridor', 'outside', 'lobby', 'door', 'doorway', 'exterior', 'hallway', 'entry', 'outdoor'],
  simplified: ['门口', '走廊', '外', '入口', '门外', '门前', '过道'],
  traditional: ['門口', '門外', '門前', '過道'],
};

/** Vendor factory placeholder values (any location segment); the vendor profile adds its own paths. */
export const PLACEHOLDER_WORDS = [
  'hangzhou',
  'shenzhen',
  'beijing',
  'shanghai',
  'china',
  'prc',
  'default',
  'gmt',
  'utc',
  'empty',
  'none',
  'null',
  'unknown',
  'location',
  'earth',
  'world',
  'asia',
];

/** Location categories that carry no zone meaning on their own (`location/country/…`). */
export const PLACEHOLDER_CATEGORIES = ['country', 'city', 'region', 'province', 'state', 'timezone', 'tz'];
