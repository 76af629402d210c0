"""Surname data: compound surnames and the *surname* readings of polyphonic characters.

General-purpose pinyin converters read a character with its most frequent reading, which for
several surnames is the wrong one (单 is "dan" in text but "Shan" as a surname, 曾 "ceng" but
"Zeng", 卜 "bo" but "Bu" …). This module is bankcrm's own table of surname readings, in
simplified characters (names are converted to simplified before lookup), written in toneless
pinyin with ``v`` for ü (the convention of :mod:`pypinyin`).

Sources: the surname readings given by the 现代汉语词典 (entries marked 姓) and the usual
romanisation of compound surnames. The first reading of a tuple is the one used in the canonical
key; further readings are the variants a bank also meets (覃 is Qin in most of Guangxi but Tan
elsewhere) and only enter the *set* of keys.

>>> SURNAME_READINGS["单"], SURNAME_READINGS["曾"], SURNAME_READINGS["覃"]
(('shan',), ('zeng',), ('qin', 'tan'))
>>> COMPOUND_SURNAMES["尉迟"], COMPOUND_SURNAMES["万俟"]
(('yuchi',), ('moqi',))
>>> max(len(s) for s in COMPOUND_SURNAMES)
4
"""

from __future__ import annotations

__all__ = [
    "COMMON_SURNAMES",
    "COMPOUND_SURNAMES",
    "SURNAME_READINGS",
]

#: Single-character surnames whose surname reading differs from (or is a less frequent reading
#: of) the character's everyday reading, plus a few whose reading converters get right but that
#: are polyphonic enough to pin down here.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan",),
    "曾": ("zeng",),
    "解": ("xie",),
    "区": ("ou",),
    "朴": ("piao", "pu"),
    "翟": ("zhai", "di"),
    "覃": ("qin", "tan"),
    "仇": ("qiu", "chou"),
    "查": ("zha", "cha"),
    "盖": ("ge", "gai"),
    "乐": ("yue", "le"),
    "缪": ("miao", "mou"),
    "重": ("chong",),
    "秘": ("bi",),
    "种": ("chong",),
    "任": ("ren",),
    "华": ("hua",),
    "纪": ("ji",),
    "燕": ("yan",),
    "员": ("yun", "yuan"),
    "召": ("shao",),
    "繁": ("po",),
    "折": ("she",),
    "卜": ("bu",),
    "薄": ("bo",),
    "阚": ("kan",),
    "都": ("du",),
    "长": ("chang",),
    "句": ("gou",),
    "祭": ("zhai",),
    "隗": ("wei", "kui"),
    "洗": ("xian",),
    "冼": ("xian",),
    "角": ("jue",),
    "便": ("pian",),
    "佴": ("nai",),
    "乜": ("nie",),
    "蔚": ("yu",),
    "宓": ("mi", "fu"),
    "谌": ("chen", "shen"),
    "牟": ("mou", "mu"),
    "尉": ("wei",),
    "褚": ("chu",),
    "柏": ("bai",),
    "石": ("shi",),
    "沈": ("shen",),
    "贲": ("ben",),
    "逄": ("pang",),
    "阙": ("que",),
    "厍": ("she",),
    "晟": ("cheng",),
    "朝": ("chao",),
    "相": ("xiang",),
    "和": ("he",),
    "莘": ("shen",),
    "盛": ("sheng",),
    "曲": ("qu",),
    "强": ("qiang",),
    "应": ("ying",),
    "那": ("na",),
    "鲜": ("xian",),
    "殷": ("yin",),
    "车": ("che",),
    "宿": ("su",),
    "万": ("wan",),
    "於": ("yu",),
    "吕": ("lv",),
    "闾": ("lv",),
}

#: Surnames of two or more characters, with their readings. Modern merged double surnames
#: (张简, 范姜 …) are deliberately absent: a name starting 张简 is far more often 张 + 简X.
COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "欧阳": ("ouyang",),
    "司马": ("sima",),
    "诸葛": ("zhuge",),
    "上官": ("shangguan",),
    "东方": ("dongfang",),
    "皇甫": ("huangfu",),
    "尉迟": ("yuchi",),
    "公孙": ("gongsun",),
    "慕容": ("murong",),
    "夏侯": ("xiahou",),
    "令狐": ("linghu",),
    "长孙": ("zhangsun",),
    "宇文": ("yuwen",),
    "司徒": ("situ",),
    "司空": ("sikong",),
    "澹台": ("tantai",),
    "端木": ("duanmu",),
    "南宫": ("nangong",),
    "万俟": ("moqi",),
    "单于": ("chanyu",),
    "独孤": ("dugu",),
    "拓跋": ("tuoba",),
    "完颜": ("wanyan",),
    "轩辕": ("xuanyuan",),
    "呼延": ("huyan",),
    "赫连": ("helian",),
    "申屠": ("shentu",),
    "太史": ("taishi",),
    "公羊": ("gongyang",),
    "淳于": ("chunyu",),
    "濮阳": ("puyang",),
    "宗政": ("zongzheng",),
    "闻人": ("wenren",),
    "鲜于": ("xianyu",),
    "闾丘": ("lvqiu",),
    "钟离": ("zhongli",),
    "公冶": ("gongye",),
    "谷梁": ("guliang",),
    "梁丘": ("liangqiu",),
    "左丘": ("zuoqiu",),
    "东郭": ("dongguo",),
    "南郭": ("nanguo",),
    "段干": ("duangan",),
    "巫马": ("wuma",),
    "公西": ("gongxi",),
    "漆雕": ("qidiao",),
    "乐正": ("yuezheng",),
    "壤驷": ("rangsi",),
    "公良": ("gongliang",),
    "颛孙": ("zhuansun",),
    "羊舌": ("yangshe",),
    "微生": ("weisheng",),
    "第五": ("diwu",),
    "百里": ("baili",),
    "东门": ("dongmen",),
    "西门": ("ximen",),
    "仲孙": ("zhongsun",),
    "叔孙": ("shusun",),
    "司寇": ("sikou",),
    "哥舒": ("geshu",),
    "亓官": ("qiguan",),
    "夹谷": ("jiagu",),
    "子车": ("ziju",),
    "宰父": ("zaifu",),
    "钮祜禄": ("niuhulu",),
    "爱新觉罗": ("aixinjueluo",),
    "叶赫那拉": ("yehenala",),
}

#: The most common single-character surnames (roughly by population). Used to decide the order
#: of a romanised name: a leading token that spells one of these is read as the surname.
COMMON_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关"
    "兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻"
    "祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿"
    "桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠"
    "惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉"
    "禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修"
    "邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴"
    "昝智幸奉植衡富尧闭由"
)
