"""Small pools of names, readings, regions and streets the synthetic bank draws from.

The pools are plain facts written for this project: common surnames with rough relative
frequencies and their pinyin, given-name characters grouped by toneless pinyin (a group of more
than one character is a set of homophones a clerk can confuse), address codes of GB/T 2260 with
the place names they stood for (a few of them abolished since, because people keep the code they
were issued), street names and mobile prefixes. Each pool is turned once into numpy arrays so
that generators draw by index.

>>> SURNAMES[0].char, SURNAMES[0].pinyin
('王', 'wang')
>>> pool = given_name_pool()
>>> bool((pool.group_size > 1).any())
True
"""

from __future__ import annotations

import functools

import attrs
import numpy as np
import numpy.typing as npt

__all__ = [
    "FOREIGN_GIVEN_NAMES",
    "FOREIGN_SURNAMES",
    "FPR_NATIONALITIES",
    "GIVEN_NAME_GROUPS",
    "MOBILE_PREFIXES",
    "REGIONS",
    "STREETS",
    "SURNAMES",
    "GivenNamePool",
    "Region",
    "Surname",
    "SurnamePool",
    "given_name_pool",
    "region_pool",
    "surname_pool",
]

StrArray = npt.NDArray[np.str_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@attrs.frozen
class Surname:
    """A surname, its surname reading and how passports have spelt it (first = current rule)."""

    char: str
    pinyin: str
    weight: float
    latin_variants: tuple[str, ...] = ()

    def spellings(self) -> tuple[str, ...]:
        """Upper-case spellings, the current passport spelling first."""
        return self.latin_variants or (self.pinyin.upper(),)


# Relative frequencies are rough (per mille of the population); only their order matters here.
# Polyphonic surnames carry their *surname* reading (单 Shan, 曾 Zeng, 解 Xie, 区 Ou, 朴 Piao,
# 翟 Zhai, 覃 Qin); 吕 is LYU on passports issued since 2012, LV or LU on older documents.
SURNAMES: tuple[Surname, ...] = (
    Surname("王", "wang", 72),
    Surname("李", "li", 72),
    Surname("张", "zhang", 68),
    Surname("刘", "liu", 54),
    Surname("陈", "chen", 46),
    Surname("杨", "yang", 32),
    Surname("黄", "huang", 24),
    Surname("赵", "zhao", 20),
    Surname("吴", "wu", 20),
    Surname("周", "zhou", 19),
    Surname("徐", "xu", 14),
    Surname("孙", "sun", 14),
    Surname("马", "ma", 12),
    Surname("朱", "zhu", 12),
    Surname("胡", "hu", 11),
    Surname("郭", "guo", 11),
    Surname("何", "he", 10),
    Surname("高", "gao", 10),
    Surname("林", "lin", 10),
    Surname("罗", "luo", 9),
    Surname("郑", "zheng", 9),
    Surname("梁", "liang", 8),
    Surname("谢", "xie", 7),
    Surname("宋", "song", 6),
    Surname("唐", "tang", 6),
    Surname("许", "xu", 6),
    Surname("韩", "han", 6),
    Surname("冯", "feng", 5),
    Surname("邓", "deng", 5),
    Surname("曹", "cao", 5),
    Surname("彭", "peng", 5),
    Surname("曾", "zeng", 5),
    Surname("肖", "xiao", 5),
    Surname("田", "tian", 4),
    Surname("董", "dong", 4),
    Surname("袁", "yuan", 4),
    Surname("潘", "pan", 4),
    Surname("于", "yu", 4),
    Surname("蒋", "jiang", 4),
    Surname("蔡", "cai", 4),
    Surname("余", "yu", 4),
    Surname("杜", "du", 4),
    Surname("叶", "ye", 4),
    Surname("程", "cheng", 4),
    Surname("苏", "su", 3),
    Surname("魏", "wei", 3),
    Surname("吕", "lyu", 3, ("LYU", "LV", "LU")),
    Surname("丁", "ding", 3),
    Surname("任", "ren", 3),
    Surname("沈", "shen", 3),
    Surname("姚", "yao", 3),
    Surname("卢", "lu", 3),
    Surname("姜", "jiang", 3),
    Surname("崔", "cui", 3),
    Surname("钟", "zhong", 3),
    Surname("谭", "tan", 3),
    Surname("陆", "lu", 3),
    Surname("汪", "wang", 3),
    Surname("范", "fan", 3),
    Surname("金", "jin", 3),
    Surname("石", "shi", 3),
    Surname("廖", "liao", 3),
    Surname("贾", "jia", 3),
    Surname("夏", "xia", 3),
    Surname("韦", "wei", 2),
    Surname("方", "fang", 2),
    Surname("章", "zhang", 1),
    Surname("黎", "li", 1),
    Surname("申", "shen", 1),
    Surname("单", "shan", 1),
    Surname("解", "xie", 1),
    Surname("区", "ou", 1),
    Surname("朴", "piao", 1),
    Surname("翟", "zhai", 1),
    Surname("覃", "qin", 1),
    Surname("欧阳", "ouyang", 1),
    Surname("司马", "sima", 0.3),
    Surname("上官", "shangguan", 0.2),
    Surname("诸葛", "zhuge", 0.2),
    Surname("皇甫", "huangfu", 0.1),
)

# Given-name characters by toneless pinyin; each character is tagged m (mostly male names),
# f (mostly female) or n (both). Characters in one group sound alike and get confused when a
# name is taken down by ear.
GIVEN_NAME_GROUPS: dict[str, str] = {
    "wei": "伟m玮n炜m薇f",
    "li": "丽f莉f立n力m俐f",
    "ming": "明m铭m鸣m",
    "hua": "华n桦n骅m",
    "jing": "静f晶f婧f靖m敬m菁f",
    "jie": "杰m洁f婕f捷m",
    "jun": "军m君n俊m钧m",
    "fang": "芳f方n舫m",
    "min": "敏n珉m旻n",
    "tao": "涛m韬m滔m",
    "gang": "刚m钢m",
    "lin": "林n琳f霖n麟m",
    "ling": "玲f凌n翎f龄f",
    "qiang": "强m蔷f",
    "lei": "磊m蕾f雷m",
    "yang": "洋m阳m扬m",
    "yan": "艳f燕f雁f彦m妍f岩m",
    "yong": "勇m永m咏n",
    "feng": "峰m锋m丰m枫n",
    "hui": "辉m晖m慧f惠f卉f",
    "bin": "斌m彬m滨m",
    "bo": "波m博m柏m",
    "peng": "鹏m朋m",
    "hao": "浩m昊m皓m豪m",
    "yu": "宇m雨f羽n玉f钰f瑜f",
    "ting": "婷f庭n亭f",
    "xin": "欣f鑫m新n馨f心f",
    "ping": "平n萍f苹f",
    "hong": "红f宏m鸿m虹f",
    "jian": "建m健m剑m",
    "zhi": "志m智m芝f",
    "wen": "文n雯f闻m",
    "juan": "娟f鹃f",
    "xiu": "秀f修m",
    "xia": "霞f侠m",
    "mei": "梅f玫f美f",
    "chao": "超m朝m",
    "kai": "凯m恺m楷m",
    "qi": "琦n琪f奇m祺m启m",
    "jia": "佳n嘉n家m",
    "qian": "倩f茜f谦m",
    "chen": "晨n辰m琛m",
    "rui": "瑞n睿m锐m蕊f",
    "fan": "帆n凡n",
    "liang": "亮m良m",
    "dan": "丹f",
    "na": "娜f",
    "xiao": "晓n筱f",
    "hai": "海m",
    "dong": "东m冬n",
    "guo": "国m",
    "yun": "云n芸f韵f",
    "shu": "淑f舒n树m",
    "zi": "子n梓n紫f",
    "yi": "怡f毅m艺n逸m",
    "han": "涵f瀚m晗n",
    "xuan": "轩m萱f宣n",
    "tian": "天m甜f",
    "zhen": "振m珍f真n",
    "qing": "清n青n庆m晴f",
    "long": "龙m",
    "lan": "兰f岚f",
    "lu": "璐f露f路m",
    "xue": "雪f学m",
    "shan": "珊f山m",
    "jin": "金m锦n瑾f",
    "ning": "宁n凝f",
    "sheng": "胜m生m晟m",
    "fei": "飞m菲f斐n",
}


@attrs.frozen
class Region:
    """A GB/T 2260 address code and the names it stands for (municipalities have no city)."""

    code: int
    province: str
    city: str
    district: str
    weight: float
    abolished: bool = False


# Address codes people were issued. Abolished districts keep appearing in identity numbers
# because a person keeps the code for life (崇文/宣武 merged 2010, 卢湾 2011, 芳村 2005).
REGIONS: tuple[Region, ...] = (
    Region(110101, "北京市", "", "东城区", 3),
    Region(110102, "北京市", "", "西城区", 3),
    Region(110105, "北京市", "", "朝阳区", 6),
    Region(110106, "北京市", "", "丰台区", 3),
    Region(110108, "北京市", "", "海淀区", 5),
    Region(110103, "北京市", "", "崇文区", 1, abolished=True),
    Region(110104, "北京市", "", "宣武区", 1, abolished=True),
    Region(120101, "天津市", "", "和平区", 2),
    Region(120104, "天津市", "", "南开区", 2),
    Region(310101, "上海市", "", "黄浦区", 3),
    Region(310104, "上海市", "", "徐汇区", 4),
    Region(310105, "上海市", "", "长宁区", 3),
    Region(310115, "上海市", "", "浦东新区", 8),
    Region(310103, "上海市", "", "卢湾区", 1, abolished=True),
    Region(320102, "江苏省", "南京市", "玄武区", 3),
    Region(320106, "江苏省", "南京市", "鼓楼区", 3),
    Region(320508, "江苏省", "苏州市", "姑苏区", 3),
    Region(330102, "浙江省", "杭州市", "上城区", 3),
    Region(330106, "浙江省", "杭州市", "西湖区", 4),
    Region(330203, "浙江省", "宁波市", "海曙区", 3),
    Region(340104, "安徽省", "合肥市", "蜀山区", 3),
    Region(350102, "福建省", "福州市", "鼓楼区", 2),
    Region(350203, "福建省", "厦门市", "思明区", 2),
    Region(360103, "江西省", "南昌市", "西湖区", 2),
    Region(370102, "山东省", "济南市", "历下区", 3),
    Region(370202, "山东省", "青岛市", "市南区", 3),
    Region(410105, "河南省", "郑州市", "金水区", 4),
    Region(420102, "湖北省", "武汉市", "江岸区", 3),
    Region(420106, "湖北省", "武汉市", "武昌区", 3),
    Region(430102, "湖南省", "长沙市", "芙蓉区", 3),
    Region(440103, "广东省", "广州市", "荔湾区", 3),
    Region(440106, "广东省", "广州市", "天河区", 6),
    Region(440304, "广东省", "深圳市", "福田区", 5),
    Region(440305, "广东省", "深圳市", "南山区", 5),
    Region(440107, "广东省", "广州市", "芳村区", 1, abolished=True),
    Region(450103, "广西壮族自治区", "南宁市", "青秀区", 2),
    Region(460105, "海南省", "海口市", "秀英区", 1),
    Region(500103, "重庆市", "", "渝中区", 4),
    Region(510104, "四川省", "成都市", "锦江区", 3),
    Region(510107, "四川省", "成都市", "武侯区", 4),
    Region(520102, "贵州省", "贵阳市", "南明区", 2),
    Region(530102, "云南省", "昆明市", "五华区", 2),
    Region(540102, "西藏自治区", "拉萨市", "城关区", 0.5),
    Region(610113, "陕西省", "西安市", "雁塔区", 3),
    Region(620102, "甘肃省", "兰州市", "城关区", 2),
    Region(630102, "青海省", "西宁市", "城东区", 0.5),
    Region(640104, "宁夏回族自治区", "银川市", "兴庆区", 0.5),
    Region(650102, "新疆维吾尔自治区", "乌鲁木齐市", "天山区", 1),
    Region(130102, "河北省", "石家庄市", "长安区", 3),
    Region(140105, "山西省", "太原市", "小店区", 2),
    Region(150102, "内蒙古自治区", "呼和浩特市", "新城区", 1),
    Region(210102, "辽宁省", "沈阳市", "和平区", 3),
    Region(210202, "辽宁省", "大连市", "中山区", 2),
    Region(220102, "吉林省", "长春市", "南关区", 2),
    Region(230102, "黑龙江省", "哈尔滨市", "道里区", 2),
)

STREETS: tuple[str, ...] = (
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "和平路",
    "新华路",
    "文化路",
    "长江路",
    "黄河路",
    "胜利路",
    "光明路",
    "朝阳路",
    "东风路",
    "南京路",
    "北京路",
    "青年路",
    "工业路",
    "学府路",
    "科技路",
    "滨江路",
    "花园路",
    "幸福路",
    "民主路",
    "团结路",
    "延安路",
    "友谊路",
    "复兴路",
    "振兴路",
    "环城路",
    "育才路",
)

# Mainland mobile number prefixes (three digits). Since number portability (2019-11-27) a
# prefix says nothing about the carrier; it only makes the numbers look real.
MOBILE_PREFIXES: tuple[int, ...] = (
    130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 156, 157, 158, 159,
    166, 170, 176, 177, 178, 180, 181, 182, 183, 185, 186, 187, 188, 189, 191, 198, 199,
)  # fmt: skip

FOREIGN_SURNAMES: tuple[str, ...] = (
    "SMITH",
    "JOHNSON",
    "BROWN",
    "WILSON",
    "TAYLOR",
    "MULLER",
    "SCHMIDT",
    "MARTIN",
    "BERNARD",
    "DUBOIS",
    "TANAKA",
    "SUZUKI",
    "SATO",
    "KIM",
    "LEE",
    "PARK",
    "NGUYEN",
    "GARCIA",
    "ROSSI",
    "IVANOV",
)
FOREIGN_GIVEN_NAMES: tuple[str, ...] = (
    "JOHN",
    "MICHAEL",
    "DAVID",
    "JAMES",
    "ANNA",
    "MARIA",
    "EMMA",
    "SOPHIE",
    "HANS",
    "PETER",
    "YUKI",
    "HIROSHI",
    "MINJUN",
    "SEOYEON",
    "LUCA",
    "OLGA",
    "THOMAS",
    "SARAH",
    "LAURA",
    "DANIEL",
)
# ISO 3166-1 numeric nationality codes written into the 2023 permanent-residence card number.
FPR_NATIONALITIES: tuple[int, ...] = (840, 826, 276, 250, 392, 410, 380, 643, 704, 724, 36, 124)


@attrs.frozen(eq=False)
class SurnamePool:
    """The surnames as arrays: characters, traditional forms, spellings and homophone groups."""

    chars: StrArray
    traditional: StrArray
    pinyin_upper: StrArray
    pinyin_title: StrArray
    spellings: StrArray  # (n, 3): current spelling first; shorter lists repeat the first
    n_spellings: IntArray
    probabilities: FloatArray
    homophones: IntArray  # (n, k): indices of other surnames with the same reading, -1 padded
    n_homophones: IntArray


@attrs.frozen(eq=False)
class GivenNamePool:
    """Given-name characters as arrays, with gender lean and homophone groups."""

    chars: StrArray
    traditional: StrArray
    pinyin: StrArray
    lean: StrArray  # "m", "f" or "n"
    group_start: IntArray  # index of the first character of the same group
    group_size: IntArray


def _traditional(texts: list[str]) -> StrArray:
    """Traditional forms, as systems that store names in traditional characters write them."""
    import opencc  # a core dependency, loaded only when a pool is first built

    converter = opencc.OpenCC("s2t")
    return np.array([str(converter.convert(t)) for t in texts])


@functools.cache
def surname_pool() -> SurnamePool:
    """Arrays for :data:`SURNAMES` (built once)."""
    chars = [s.char for s in SURNAMES]
    weights = np.array([s.weight for s in SURNAMES], dtype=np.float64)
    spell = [list(s.spellings()) for s in SURNAMES]
    spell = [(v + [v[0]] * 3)[:3] for v in spell]
    by_reading: dict[str, list[int]] = {}
    for i, s in enumerate(SURNAMES):
        by_reading.setdefault(s.pinyin, []).append(i)
    width = max(len(v) for v in by_reading.values()) - 1
    homophones = np.full((len(SURNAMES), max(width, 1)), -1, dtype=np.int64)
    n_hom = np.zeros(len(SURNAMES), dtype=np.int64)
    for i, s in enumerate(SURNAMES):
        others = [j for j in by_reading[s.pinyin] if j != i]
        homophones[i, : len(others)] = others
        n_hom[i] = len(others)
    return SurnamePool(
        chars=np.array(chars),
        traditional=_traditional(chars),
        pinyin_upper=np.array([s.spellings()[0] for s in SURNAMES]),
        pinyin_title=np.array([s.spellings()[0].title() for s in SURNAMES]),
        spellings=np.array(spell),
        n_spellings=np.array([len(s.spellings()) for s in SURNAMES], dtype=np.int64),
        probabilities=weights / weights.sum(),
        homophones=homophones,
        n_homophones=n_hom,
    )


@functools.cache
def given_name_pool() -> GivenNamePool:
    """Arrays for :data:`GIVEN_NAME_GROUPS` (built once)."""
    chars: list[str] = []
    pinyin: list[str] = []
    lean: list[str] = []
    start: list[int] = []
    size: list[int] = []
    for reading, spec in GIVEN_NAME_GROUPS.items():
        members = [(spec[i], spec[i + 1]) for i in range(0, len(spec), 2)]
        first = len(chars)
        for char, tag in members:
            chars.append(char)
            pinyin.append(reading)
            lean.append(tag)
            start.append(first)
            size.append(len(members))
    return GivenNamePool(
        chars=np.array(chars),
        traditional=_traditional(chars),
        pinyin=np.array(pinyin),
        lean=np.array(lean),
        group_start=np.array(start, dtype=np.int64),
        group_size=np.array(size, dtype=np.int64),
    )


@attrs.frozen(eq=False)
class RegionPool:
    """Regions as arrays; ``place`` is the written prefix of an address in that district."""

    codes: IntArray
    place: StrArray
    probabilities: FloatArray
    abolished: npt.NDArray[np.bool_]


@functools.cache
def region_pool() -> RegionPool:
    """Arrays for :data:`REGIONS` (built once)."""
    weights = np.array([r.weight for r in REGIONS], dtype=np.float64)
    return RegionPool(
        codes=np.array([r.code for r in REGIONS], dtype=np.int64),
        place=np.array([r.province + r.city + r.district for r in REGIONS]),
        probabilities=weights / weights.sum(),
        abolished=np.array([r.abolished for r in REGIONS]),
    )
