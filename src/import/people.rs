//! People in a text: whether a short run of Han characters is a person's
//! name, and how an office and a name printed together (`市委书记王建国`,
//! `信阳市人民政府市长 尚朝阳`) come apart.
//!
//! Rules rather than a segmenter: the texts print names in a few fixed
//! layouts (an office before the name, `同志` after it, a line of its own, a
//! `姓名：` label), so a surname list, the offices of Chinese government and
//! a list of words that look like names suffice and are predictable. A
//! dictionary segmenter with part-of-speech tags (jieba) would add a
//! multi-megabyte dictionary, tag many given names wrongly, and still need
//! these layouts to tell a speaker from a name mentioned in passing.
//! Works on simplified text (the caller simplifies a copy).

use std::sync::OnceLock;

use regex::Regex;

/// Single-character surnames: the commonest four hundred or so (百家姓 and
/// the census lists), enough for the officials these texts name.
const SURNAMES: &str = "习王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由";

/// Two-character surnames.
const COMPOUND_SURNAMES: [&str; 24] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐",
    "端木", "西门", "南宫", "独孤", "轩辕", "呼延", "万俟", "闻人", "完颜", "拓跋",
];

/// Words of two or three characters that begin with a surname character
/// but are not names, as they stand in these texts.
const NOT_NAMES: [&str; 64] = [
    "我们", "会议", "大家", "同志", "今天", "全市", "全县", "全区", "全省", "全州", "全国", "同时", "高度", "方面",
    "关于", "于是", "安排", "安全", "常委", "常务", "文件", "文化", "明确", "明年", "时间", "时候", "党委", "党组",
    "政府", "江山", "黄河", "长江", "石油", "金融", "全面", "武装", "国家", "国务", "国际", "公司", "公开", "公共",
    "成绩", "成效", "成立", "向前", "向上", "平台", "平安", "和谐", "和平", "应当", "应该", "宣传", "包括", "项目",
    "路线", "强化", "严格", "任务", "主持", "主任", "发言", "代表",
];

/// Offices and titles that stand before a name, longest first where one
/// ends another (`副书记` before `书记`).
const OFFICES: &str = "总书记|副书记|书记|副市长|市长|副县长|县长|副区长|区长|副州长|州长|副省长|省长|副旗长|旗长|副盟长|盟长|\
    副主席|主席|副主任|主任|副部长|部长|副局长|局长|副厅长|厅长|副组长|组长|副镇长|镇长|副乡长|乡长|专员|常委|委员|\
    秘书长|副院长|院长|副校长|校长|队长|发言人|代表|副总理|总理|国务委员|主任委员|政委|司令员|会长|理事长|董事长|总经理|\
    副巡视员|巡视员|调研员";

/// A surname at the start of `text`: its length in characters.
fn surname_len(text: &str) -> Option<usize> {
    if COMPOUND_SURNAMES.iter().any(|s| text.starts_with(s)) {
        return Some(2);
    }
    let first = text.chars().next()?;
    SURNAMES.contains(first).then_some(1)
}

/// Whether `text` is a person's name: a surname and one or two given
/// characters (three with a compound surname), not a word that only looks
/// like one, nor a placeholder (`某`, `X`).
pub fn is_name(text: &str) -> bool {
    let n = text.chars().count();
    if !text.chars().all(crate::script::is_han) {
        return false;
    }
    // `王某`, `李某某`: a name redacted but for the surname.
    if let Some(given) = text.strip_prefix(|c: char| SURNAMES.contains(c)) {
        if given == "某" || given == "某某" {
            return true;
        }
    }
    if text.contains('某') {
        return false;
    }
    if OFFICES.split('|').any(|o| o.trim() == text) {
        return false;
    }
    match surname_len(text) {
        Some(2) => (3..=4).contains(&n),
        Some(_) => (2..=3).contains(&n) && !NOT_NAMES.iter().any(|w| text.starts_with(w)),
        None => false,
    }
}

/// `市委副书记、市政府市长付宗义` → (`市委副书记、市政府市长`, `付宗义`);
/// `信阳市人民政府市长 尚朝阳` → (`信阳市人民政府市长`, `尚朝阳`); `吕旅同志`
/// → (``, `吕旅`). The office may be empty; the name may not.
pub fn split_office_name(text: &str) -> Option<(String, String)> {
    static OFFICE: OnceLock<Regex> = OnceLock::new();
    let re = OFFICE.get_or_init(|| {
        Regex::new(&format!(
            r"^(?P<office>[\p{{Han}}、，,（）()]*(?:{OFFICES}))?\s*(?P<name>\p{{Han}}{{2,4}}?)(?:同志)?$"
        ))
        .expect("valid regex")
    });
    let text = text.trim();
    let c = re.captures(text)?;
    let name = c["name"].to_string();
    is_name(&name).then(|| (c.name("office").map_or("", |o| o.as_str()).trim().to_string(), name))
}

/// `市委书记`, `广西壮族自治区党委书记`: the text is an office, with no name.
pub fn is_office(text: &str) -> bool {
    static OFFICE: OnceLock<Regex> = OnceLock::new();
    let re = OFFICE.get_or_init(|| Regex::new(&format!(r"^[\p{{Han}}、]{{0,30}}(?:{OFFICES})$")).expect("valid regex"));
    re.is_match(text.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_told_from_words() {
        for name in ["王建国", "孙志刚", "鹿心社", "欧阳明", "尚朝阳", "吕旅", "何邦军", "董良鸿"]
        {
            assert!(is_name(name), "{name}");
        }
        assert!(is_name("王某"), "a name redacted but for the surname");
        for word in ["我们", "会议", "全市", "某某", "某市领导", "习近平总书记", "王", "X书记", "党委", "平安"]
        {
            assert!(!is_name(word), "{word}");
        }
    }

    #[test]
    fn offices_and_names_come_apart() {
        let s = |t: &str| split_office_name(t).map(|(o, n)| format!("{o}|{n}"));
        assert_eq!(s("市委副书记、市政府市长付宗义").as_deref(), Some("市委副书记、市政府市长|付宗义"));
        assert_eq!(s("县委书记钟益民").as_deref(), Some("县委书记|钟益民"));
        assert_eq!(s("信阳市人民政府市长 尚朝阳").as_deref(), Some("信阳市人民政府市长|尚朝阳"));
        assert_eq!(s("吕旅同志").as_deref(), Some("|吕旅"));
        assert_eq!(s("孙志刚").as_deref(), Some("|孙志刚"));
        assert_eq!(s("某市领导"), None);
        assert_eq!(s("区长"), None);
        assert!(is_office("广西壮族自治区党委书记"));
        assert!(is_office("区长"));
        assert!(!is_office("在全区扶贫攻坚动员大会上的讲话"));
    }
}
