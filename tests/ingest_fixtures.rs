//! Pages written for the tests (not seeds) in each of the three layouts, with
//! the expected stories: proves the rules generalise beyond the sample seeds.

use folio::ingest::{Page, Story, decode, parse_page};

struct Want {
    title: &'static str,
    kicker: Option<&'static str>,
    subtitle: Option<&'static str>,
    authors: &'static [&'static str],
    sections: &'static [&'static str],
    column: Option<&'static str>,
    continuation: bool,
    start: &'static str,
    end: &'static str,
}

const NONE: Want = Want {
    title: "",
    kicker: None,
    subtitle: None,
    authors: &[],
    sections: &[],
    column: None,
    continuation: false,
    start: "",
    end: "",
};

fn load(name: &str) -> Page {
    let bytes = std::fs::read(format!("tests/fixtures/ingest/{name}")).expect("fixture");
    parse_page(&decode(&bytes, false).expect("UTF-8"))
}

fn body_paras(s: &Story) -> Vec<&str> {
    s.body
        .split("\n\n")
        .filter(|p| !p.starts_with("## "))
        .collect()
}

fn check(name: &str, page: &Page, wants: &[Want]) {
    let titles: Vec<&str> = page.stories.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        page.stories.len(),
        wants.len(),
        "{name}: stories {titles:?}"
    );
    for (k, (s, w)) in page.stories.iter().zip(wants).enumerate() {
        let at = format!("{name} story {}", k + 1);
        assert_eq!(s.title, w.title, "{at}: title");
        assert_eq!(s.kicker.as_deref(), w.kicker, "{at}: kicker");
        assert_eq!(s.subtitle.as_deref(), w.subtitle, "{at}: subtitle");
        assert_eq!(s.authors, w.authors, "{at}: authors");
        let sections: Vec<&str> = s
            .body
            .split("\n\n")
            .filter_map(|p| p.strip_prefix("## "))
            .collect();
        assert_eq!(sections, w.sections, "{at}: sections");
        assert_eq!(s.column.as_deref(), w.column, "{at}: column");
        assert_eq!(s.continuation, w.continuation, "{at}: continuation");
        let paras = body_paras(s);
        assert!(
            paras.first().is_some_and(|p| p.starts_with(w.start)),
            "{at}: body start {paras:?}"
        );
        assert!(
            paras.last().is_some_and(|p| p.ends_with(w.end)),
            "{at}: body end {paras:?}"
        );
    }
}

#[test]
fn column_text_page() {
    let page = load("column_page.txt");
    check(
        "column_page",
        &page,
        &[
            Want {
                title: "老旧小区焕新颜 居民笑开颜",
                kicker: Some("长沙市天心区："),
                authors: &["李明", "王晓红"],
                sections: &["居民议事 改造方案大家定", "多方联动 长效管护有保障"],
                start: "今年以来，天心区把老旧小区改造作为重点民生实事，累计投入资金2.3亿元",
                end: "让更多居民享受改造成果。",
                ..NONE
            },
            Want {
                title: "县域经济跑出加速度",
                authors: &["陈静"],
                start: "前三季度，该县地区生产总值同比增长6.8%，",
                end: "企业开办时间压缩至半天。",
                ..NONE
            },
            Want {
                title: "橘乡处处丰收景",
                subtitle: Some("石门县雁池乡柑橘产业发展纪实"),
                authors: &["赵刚"],
                sections: &["产业兴旺，激活发展动能", "品牌引领，拓宽增收渠道"],
                column: Some("奋进新征程·石门篇"),
                start: "初冬时节，走进石门县雁池乡，",
                end: "种植大户覃师傅笑着说。",
                ..NONE
            },
            Want {
                continuation: true,
                start: "会议要求，各级各部门要提高政治站位",
                end: "防汛救灾等工作作了部署。",
                ..NONE
            },
        ],
    );
    let first = &page.stories[0];
    assert_eq!(first.captions, ["改造后的枫树山社区一角。张伟摄"]);
    assert!(
        page.unplaced
            .iter()
            .any(|u| u.reason == "continuation marker")
    );
}

#[test]
fn paragraph_lines_page() {
    let page = load("paragraph_page.txt");
    check_paragraph_page("paragraph_page", &page);
    // The same page with single newlines only: still the same stories.
    let text =
        std::fs::read_to_string("tests/fixtures/ingest/paragraph_page.txt").expect("fixture");
    let dense: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    check_paragraph_page(
        "paragraph_page without blank lines",
        &parse_page(&dense.join("\n")),
    );
}

fn check_paragraph_page(name: &str, page: &Page) {
    check(
        name,
        page,
        &[
            Want {
                title: "守护群众“钱袋子”",
                subtitle: Some("岳麓区深入开展打击养老诈骗专项行动"),
                authors: &["刘建国", "周小梅"],
                sections: &["宣传先行，筑牢防骗“隔离墙”", "精准打击，斩断犯罪“黑链条”"],
                column: Some("法治护航·岳麓篇"),
                start: "今年以来，岳麓区聚焦养老领域突出问题",
                end: "让老年人安享幸福晚年。",
                ..NONE
            },
            Want {
                title: "湘江岸线焕发新生机",
                kicker: Some("擦亮“生态名片”"),
                authors: &["罗毅"],
                start: "清晨的湘江风光带",
                end: "市民张女士感慨。",
                ..NONE
            },
            Want {
                title: "“小木耳”撑起“大产业”",
                kicker: Some("乡村振兴看新邵"),
                start: "走进新邵县坪上镇的木耳种植基地",
                end: "推动木耳产业从种得好向卖得",
                ..NONE
            },
        ],
    );
    let s = &page.stories[0];
    assert!(
        s.body.contains("形成全民反诈的良好氛围。"),
        "paragraph cut by a page break is joined"
    );
    assert!(page.stories[2].review.contains(&"cut-off".to_string()));
    assert!(
        page.stories[1]
            .review
            .contains(&"ambiguous-headline".to_string())
    );
}

#[test]
fn markdown_page() {
    let page = load("markdown_page.txt");
    check(
        "markdown_page",
        &page,
        &[
            Want {
                title: "湘潭多家医院推出“无陪护病房”",
                authors: &["周琳", "王芳"],
                sections: &["专业团队：照护更贴心", "费用透明：负担不增加"],
                column: Some("健康·周刊"),
                start: "“住院期间不用家人陪护，护士全程照顾，太省心了！”",
                end: "符合条件的纳入医保报销。",
                ..NONE
            },
            Want {
                title: "社区医生上门 慢病管理更精准",
                authors: &["周琳"],
                column: Some("健康·周刊"),
                start: "3月5日，岳塘区东坪街道",
                end: "实行“一人一档、动态管理”。",
                ..NONE
            },
            Want {
                title: "十二年无偿献血 他用热血诠释大爱",
                authors: &["李湘", "陈晨"],
                column: Some("暖心时刻"),
                start: "3月14日，市民赵先生再次走进献血屋",
                end: "他将一直坚持下去。",
                ..NONE
            },
        ],
    );
    let s = &page.stories[0];
    assert_eq!(s.captions, ["护理员为患者翻身。通讯员供图"]);
    assert!(
        s.body
            .contains("已服务患者3,200余人次，患者满意度达98.5%。"),
        "{}",
        s.body
    );
    assert!(page.unplaced.iter().any(|u| u.text == "责任编辑：李华"));
}

#[test]
fn column_text_with_headlines_first() {
    let page = load("column_headline_first.txt");
    check(
        "column_headline_first",
        &page,
        &[
            Want {
                title: "科创走廊跑出“加速度”",
                kicker: Some("湘江新区："),
                authors: &["周敏", "唐亮"],
                sections: &["聚焦主业，做强创新引擎", "引才聚才，打造人才高地"],
                start: "今年前10个月，湘江新区新增高新技术企业420家，",
                end: "今年引进各类人才1.8万人。",
                ..NONE
            },
            Want {
                title: "让群众少跑腿",
                subtitle: Some("邵东市推进政务服务改革纪实"),
                start: "“以前办营业执照要跑好几个窗口",
                end: "平均办理时限压缩60%以上。",
                ..NONE
            },
        ],
    );
    assert_eq!(
        page.stories[1].captions,
        ["市民在政务服务中心办理业务。李刚摄"]
    );
    assert!(
        page.unplaced
            .iter()
            .any(|u| u.reason.contains("continued elsewhere"))
    );
}
