//! Regression tests from a QA pass on pages ingest had never seen
//! (`tests/fixtures/ingest/qa/`, see its README): running heads, datelines after long
//! stories, Markdown images, rules and lists. Each page is also checked for lost text.

use folio::ingest::{Page, decode, parse_page};

mod ingest_support;
use ingest_support::imbalance;

fn page(name: &str) -> Page {
    let path = format!("tests/fixtures/ingest/qa/{name}");
    let bytes = std::fs::read(&path).expect("fixture");
    let text = decode::decode(&bytes, false).expect("utf-8");
    let page = parse_page(&text);
    let bad: Vec<(char, i64)> = imbalance(&text, &page).into_iter().collect();
    assert!(
        bad.is_empty(),
        "{name}: characters lost or doubled: {bad:?}"
    );
    page
}

fn titles(p: &Page) -> Vec<&str> {
    p.stories.iter().map(|s| s.title.as_str()).collect()
}

#[test]
fn running_head_is_neither_title_nor_kicker_and_dates_the_page() {
    let p = page("qa_b_paragraphs.txt");
    let first = &p.stories[0];
    assert_eq!(first.kicker.as_deref(), Some("推进基层治理现代化"));
    assert_eq!(first.title, "娄星区“网格+”让小事不出社区");
    assert_eq!(
        first.subtitle.as_deref(),
        Some("娄底市娄星区探索城市基层治理新路径")
    );
    // The text also states a deadline (2023年12月31日前): the running head's date wins.
    assert_eq!(p.date, Some((2023, 5, 9)));
    assert!(
        p.unplaced
            .iter()
            .any(|u| u.line == 1 && u.reason == "page running head")
    );
    assert!(
        titles(&p).contains(&"武陵源景区“五一”接待游客创新高"),
        "{:?}",
        titles(&p)
    );

    // The briefs column is one article: each "■" brief a paragraph, each credit an author.
    let briefs = p
        .stories
        .iter()
        .find(|s| s.title == "新闻速递")
        .expect("briefs");
    assert_eq!(briefs.body.matches('■').count(), 3, "{}", briefs.body);
    assert_eq!(briefs.body.split("\n\n").count(), 3, "{}", briefs.body);
    assert_eq!(briefs.authors, ["赵敏", "周丽", "陈静"]);
    assert!(
        p.stories.iter().all(|s| !s.title.is_empty()),
        "{:?}",
        titles(&p)
    );

    // A page of nothing but its running head and page name yields no article.
    let p = page("r07_banner_only.txt");
    assert!(p.stories.is_empty(), "{:?}", titles(&p));
    assert_eq!(p.unplaced.len(), 2);
    assert_eq!(p.date, Some((2023, 5, 8)));
}

#[test]
fn a_dateline_after_a_long_story_opens_a_new_one() {
    let p = page("r08_paragraph_dateline_merge.txt");
    assert_eq!(
        titles(&p),
        [
            "娄星区“网格+”让小事不出社区",
            "东洞庭湖江豚种群数量稳中有升",
            "武陵源景区“五一”接待游客创新高"
        ]
    );
    let river = &p.stories[1];
    assert_eq!(river.authors, ["王敏", "陈湘"]);
    assert!(
        river.body.starts_with("记者今天从岳阳市生态环境局获悉"),
        "{}",
        river.body
    );
    assert!(!p.stories[0].body.contains("## "), "{}", p.stories[0].body);
}

#[test]
fn markdown_image_gives_a_caption_and_a_rule_separates() {
    let p = page("r06_markdown.md");
    assert_eq!(
        titles(&p),
        ["常宁：“红色物业”让居民舒心", "泸溪县：“双减”落地"]
    );
    assert_eq!(
        p.stories[0].captions,
        ["图为常宁市城北社区党员志愿者清理小区垃圾。"]
    );
    assert!(!p.stories[0].body.contains("images/"));
    assert_eq!(p.stories[1].subtitle, None);
    // Two list items, two paragraphs.
    assert!(
        p.stories[0].body.contains("100%;\n\n2."),
        "{}",
        p.stories[0].body
    );
}

#[test]
fn short_page_with_running_head() {
    let p = page("r01_banner_kicker_dateline.txt");
    assert_eq!(p.date, Some((2023, 5, 9)));
    for s in &p.stories {
        assert!(!s.title.contains("湖南日报"), "{:?}", titles(&p));
        assert!(s.kicker.as_deref().is_none_or(|k| !k.contains("湖南日报")));
    }
}

#[test]
fn column_headline_block_printed_twice_after_the_body() {
    // Body, kicker, the headline in bold (extracted twice), a closing byline: one story.
    let p = page("r02_column_banner_headline_after.txt");
    assert_eq!(titles(&p), ["5G“云管家”守护万亩黄金茶园"]);
    let s = &p.stories[0];
    assert_eq!(s.kicker.as_deref(), Some("吉首市隘口村数字赋能茶产业"));
    assert_eq!(s.authors, ["田野", "龙飞"]);
    assert!(s.body.starts_with("5月6日清晨"), "{}", s.body);
    assert!(!s.body.contains("云管家"), "{}", s.body);
}

#[test]
fn column_page_with_headlines_first_kicker_apart_and_place_colon_headline() {
    let p = page("column_headline_first.txt");
    assert_eq!(
        titles(&p),
        [
            "凤凰古城夜经济“火”起来",
            "长沙县：工程机械产业集群产值突破千亿",
            "新邵县：稻虾共养鼓起农民“钱袋子”"
        ]
    );
    // The kicker printed apart above its headline is not a story of its own.
    assert_eq!(
        p.stories[1].kicker.as_deref(),
        Some("聚焦县域经济高质量发展")
    );
    // Each story keeps its own byline.
    assert_eq!(p.stories[1].authors, ["邓凯", "陈曦"]);
    assert_eq!(p.stories[2].authors, ["肖艳", "曾文"]);
    assert!(
        p.stories[2].body.starts_with("初夏时节"),
        "{}",
        p.stories[2].body
    );
    // Section headings printed on two lines cut after a comma are whole headings, and
    // the story after them (bylined at its end) is not taken for a third section.
    let body = &p.stories[1].body;
    for heading in [
        "## 强链补链，做大产业“朋友圈”",
        "## 智能制造，跑出发展“加速度”",
    ] {
        assert!(body.contains(heading), "{body}");
    }
    assert!(!body.contains("新邵县"), "{body}");
}

#[test]
fn column_headline_block_with_byline_then_caption_heads_the_story_above() {
    // Body, kicker, headline printed twice, "（记者 …）", a photo caption, then the next
    // story's body: the block is the first story's headline, not two section headings.
    let p = page("qa_a_column.txt");
    let first = &p.stories[0];
    assert_eq!(first.title, "5G“云管家”守护万亩黄金茶园");
    assert_eq!(first.kicker.as_deref(), Some("吉首市隘口村数字赋能茶产业"));
    assert_eq!(first.authors, ["田野", "龙飞"]);
    assert!(!first.body.contains("## "), "{}", first.body);
    // The running head is not glued to the first paragraph.
    assert!(first.body.starts_with("5月6日清晨"), "{}", first.body);
    assert_eq!(p.date, Some((2023, 5, 8)));

    // This page prints paragraphs flush with the column, so a heading-shaped line two
    // characters short of it after a finished paragraph is a section heading: both of the
    // second story's, which ends at its headline block (headline printed twice, subtitle,
    // byline), not at the first of them.
    let second = &p.stories[1];
    assert_eq!(second.title, "龙山：小切口整治群众身边“微腐败”");
    assert_eq!(
        second.subtitle.as_deref(),
        Some("龙山县纪委监委深化民生领域专项整治纪实")
    );
    assert_eq!(second.authors, ["彭程", "黄静"]);
    assert!(
        second.body.starts_with("“家门口的路修好了"),
        "{}",
        second.body
    );
    let sections: Vec<&str> = second
        .body
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .collect();
    assert_eq!(
        sections,
        ["精准发力，紧盯民生“关键小事”", "以案促改，织密制度“防护网”"],
        "{}",
        second.body
    );
    assert!(
        second.body.contains("推动“大治理”。\n\n## 精准发力"),
        "{}",
        second.body
    );
}

#[test]
fn interview_with_reporters_notes_then_a_headline_right_above_its_dateline() {
    let p = page("qa_c_interview.txt");
    assert_eq!(
        titles(&p),
        ["让非遗技艺走进寻常百姓家", "吉首大学开展“非遗进校园”活动"]
    );
    let interview = &p.stories[0];
    assert_eq!(
        interview.subtitle.as_deref(),
        Some("访州级非遗传承人向桂花")
    );
    assert_eq!(interview.authors, ["李红梅"]);
    // Each turn stays a paragraph of its own; the notes are a section, not glued to their text.
    assert!(
        interview
            .body
            .starts_with("记者：您从事苗绣已经有多少年了？\n\n向桂花：")
    );
    assert!(
        interview
            .body
            .contains("传下去。\n\n## 记者手记\n\n采访结束时，"),
        "{}",
        interview.body
    );
    // A headline directly above a dateline paragraph opens the next story.
    let news = &p.stories[1];
    assert_eq!(news.authors, ["张晓燕"]);
    assert!(news.body.starts_with("3月8日，吉首大学"), "{}", news.body);
    assert!(
        !interview.body.contains("吉首大学开展"),
        "{}",
        interview.body
    );
    assert_eq!(p.date, Some((2024, 3, 12)));
}

#[test]
fn reporters_notes_at_the_end_of_the_page_are_a_section_of_the_story() {
    let p = page("qa_d_notes_last.txt");
    assert_eq!(titles(&p), ["让非遗技艺走进寻常百姓家"]);
    let body = &p.stories[0].body;
    assert!(body.contains("\n\n## 记者手记\n\n采访结束时，"), "{body}");
}

#[test]
fn markdown_bold_byline_bracketed_editor_credit_and_a_two_character_county() {
    let p = page("qa_e_markdown_bold.md");
    assert_eq!(
        titles(&p),
        ["道县：小小脐橙撬动乡村振兴大产业", "江永女书文化节开幕"]
    );
    let first = &p.stories[0];
    // A whole line in bold is read as its text: the byline, not a title.
    assert_eq!(first.authors, ["周华", "唐亮"]);
    assert_eq!(first.kicker, None);
    assert!(first.body.contains("## 品牌引领"), "{}", first.body);
    // The bracketed editor credit belongs to no story, and the last story is not cut off.
    let last = &p.stories[1];
    assert!(!last.body.contains("责任编辑"), "{}", last.body);
    assert!(p.unplaced.iter().any(|u| u.text.contains("责任编辑：陈静")));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn editors_notes_lead_the_story_below_and_bare_datelines_keep_their_space() {
    let p = page("qa_f_indented.txt");
    assert_eq!(
        titles(&p),
        [
            "资兴市：东江湖畔春茶飘香",
            "汝城县开展“三月三”民俗文化活动",
            "宜章：“屋场会”开到群众家门口",
            "",
            "桂阳：智能农机唱主角"
        ]
    );
    let first = &p.stories[0];
    assert_eq!(
        first.subtitle.as_deref(),
        Some("资兴市推进茶产业高质量发展见闻")
    );
    assert_eq!(first.authors, ["王伟", "李娜"]);
    assert!(
        first.body.starts_with("本报讯 3月10日，记者走进"),
        "{}",
        first.body
    );
    assert_eq!(first.captions.len(), 1);
    // The inline note is not the end of the story above it but the start of the one below.
    assert!(
        !p.stories[1].body.contains("编者按"),
        "{}",
        p.stories[1].body
    );
    assert!(
        p.stories[2].body.starts_with("编者按：基层是社会治理"),
        "{}",
        p.stories[2].body
    );
    // The continuation ends at the bracketed label; the note after it leads the next story.
    assert!(p.stories[3].continuation);
    assert!(
        !p.stories[3].body.contains("今年是"),
        "{}",
        p.stories[3].body
    );
    let last = &p.stories[4];
    assert!(
        last.body.starts_with("今年是全面推进乡村振兴的关键之年。"),
        "{}",
        last.body
    );
    assert_eq!(last.authors, ["周涛"]);
    assert!(
        p.unplaced
            .iter()
            .any(|u| u.text == "【编者按】" && u.reason == "label")
    );
}

#[test]
fn a_brief_with_its_own_credit_is_not_glued_to_the_commentary_above() {
    let p = page("qa_h_briefs.txt");
    assert_eq!(p.stories.len(), 6, "{:?}", titles(&p));
    assert_eq!(p.stories[0].title, "澧县：稻谷飘香丰收忙");
    // The commentary after its label is a story of its own, and only the commentary.
    let comment = &p.stories[1];
    assert!(comment.body.starts_with("丰收的喜悦"), "{}", comment.body);
    assert!(!comment.body.contains('■'), "{}", comment.body);
    assert_eq!(comment.column.as_deref(), Some("短评"));
    // Each brief is a story with its own author.
    let briefs: Vec<(&str, &[String])> = p.stories[2..5]
        .iter()
        .map(|s| (s.body.as_str(), s.authors.as_slice()))
        .collect();
    for ((body, authors), (start, author)) in briefs.iter().zip([
        ("■津市市", "王静"),
        ("■安乡县", "周敏"),
        ("■石门县", "覃亮"),
    ]) {
        assert!(body.starts_with(start), "{body}");
        assert_eq!(*authors, [author.to_string()]);
    }
    assert_eq!(p.stories[5].title, "汉寿：UBE项目落户高新区");
    assert_eq!(p.stories[5].authors, ["陈龙"]);
}

#[test]
fn mixed_headline_positions_with_a_continuation_and_numbered_captions() {
    let p = page("qa_i_column_mixed.txt");
    assert_eq!(p.stories.len(), 3, "{:?}", titles(&p));
    // The continued story's headline is on page 1: the box after its text is not it.
    let continued = &p.stories[0];
    assert!(continued.continuation);
    assert_eq!(continued.title, "");
    assert!(
        continued.body.ends_with("会议由副市长向东主持。"),
        "{}",
        continued.body
    );
    // The box with a byline under it heads the text below it; the numbered captions are its.
    let app = &p.stories[1];
    assert!(app.title.contains("APP上线一周年"), "{}", app.title);
    assert_eq!(app.authors, ["杨柳"]);
    assert_eq!(app.captions.len(), 2, "{:?}", app.captions);
    assert!(app.captions[0].starts_with("图①"));
    assert!(!app.body.contains("鹤城区法院"), "{}", app.body);
    // After the captions, text ending with its own credit is the next story, headed by the
    // box printed after it.
    let court = &p.stories[2];
    assert!(
        court.title.starts_with("“刷单返利”骗走58万元"),
        "{}",
        court.title
    );
    assert_eq!(court.authors, ["舒琴"]);
    assert!(court.body.starts_with("鹤城区法院"), "{}", court.body);
}

#[test]
fn a_metadata_line_under_a_markdown_headline_is_its_byline() {
    let p = page("qa_j_markdown_meta.md");
    assert_eq!(
        titles(&p),
        ["平江：红色研学游持续升温", "华容：芥菜产业年产值突破30亿元"]
    );
    assert_eq!(p.stories[0].kicker, None);
    assert_eq!(p.stories[0].authors, ["李军"]);
    assert_eq!(p.stories[1].authors, ["王芳", "周强"]);
    assert!(
        p.unplaced
            .iter()
            .any(|u| u.line == 1 && u.reason == "page running head")
    );
}

#[test]
fn a_running_head_over_three_lines_and_credits_kept_as_printed() {
    let p = page("qa_k_paragraph_mix.txt");
    assert_eq!(
        titles(&p),
        [
            "大祥区：“15分钟便民生活圈”让幸福触手可及",
            "新宁：崀山景区暑期游客量同比增长25%",
            "武冈卤菜走俏全国"
        ]
    );
    // The paper's name above the dated line is part of the running head, not a kicker.
    assert_eq!(p.stories[0].kicker, None);
    assert!(
        p.unplaced
            .iter()
            .any(|u| u.line == 1 && u.reason == "page running head")
    );
    assert_eq!(p.date, Some((2024, 7, 22)));
    // Credits keep their word spaces; padded names are closed up.
    assert_eq!(p.stories[0].credits, ["本报记者 肖洁 通讯员 唐敏"]);
    assert_eq!(p.stories[0].authors, ["肖洁", "唐敏"]);
    assert_eq!(p.stories[1].credits, ["（记者 王磊）"]);
    assert_eq!(p.stories[2].credits, ["通讯员 陈刚"]);
}

#[test]
fn subtitle_above_a_doubled_headline_and_an_editor_credit_without_colon() {
    let p = page("qa_l_column_subtitle.txt");
    assert_eq!(titles(&p), ["指尖上的女书", "道县油茶产业招商签约15.6亿元"]);
    assert_eq!(
        p.stories[0].subtitle.as_deref(),
        Some("江永县保护传承女书文化见闻")
    );
    assert_eq!(p.stories[0].authors, ["蒋芬"]);
    assert_eq!(p.stories[1].authors, ["何军"]);
    assert!(
        p.unplaced
            .iter()
            .any(|u| u.text.contains("责任编辑") && u.reason == "page editor credit"),
        "{:?}",
        p.unplaced
    );
}

#[test]
fn numbered_section_headings_and_an_affiliation() {
    let p = page("qa_m_numbered_sections.txt");
    assert_eq!(titles(&p), ["以高质量党建引领基层治理现代化"]);
    let s = &p.stories[0];
    assert_eq!(s.authors, ["李华"]);
    assert_eq!(s.author_affiliation.as_deref(), Some("中共益阳市委党校"));
    assert_eq!(s.body.matches("\n\n## ").count(), 3, "{}", s.body);
    assert!(
        s.body.contains("## 二、夯实组织基础，激活基层治理末梢"),
        "{}",
        s.body
    );
}

#[test]
fn three_deck_headline_a_column_label_and_a_bracketed_editor_credit_without_colon() {
    let p = page("qa_n_decks.txt");
    assert_eq!(
        titles(&p),
        [
            "湘西州农村公路通村达组",
            "让农村公路成为致富路",
            "保靖黄金茶开园采摘"
        ]
    );
    let decks = &p.stories[0];
    assert_eq!(decks.kicker.as_deref(), Some("聚力“四好农村路”建设"));
    assert_eq!(
        decks.subtitle.as_deref(),
        Some("全州今年新改建农村公路1260公里")
    );
    assert_eq!(decks.authors, ["彭静", "田野"]);
    // "短评" above the commentary's headline names its column.
    assert_eq!(p.stories[1].column.as_deref(), Some("短评"));
    assert_eq!(p.stories[0].column, None);
    // "（责任编辑　龙 丽）" closes the page: a credit, not the last story's text.
    let last = &p.stories[2];
    assert!(!last.body.contains("编辑"), "{}", last.body);
    assert!(last.review.is_empty(), "{:?}", last.review);
    assert!(
        p.unplaced
            .iter()
            .any(|u| u.text.contains("责任编辑") && u.reason == "page editor credit"),
        "{:?}",
        p.unplaced
    );
}

#[test]
fn column_headlines_over_short_lines_a_wrapped_subtitle_and_a_wrapped_caption() {
    let p = page("qa_o_column_decks.txt");
    assert_eq!(
        titles(&p),
        ["点亮夜经济 激活新消费", "汝城热水镇 奏响富民曲"]
    );
    // The subtitle's last character, wrapped onto a line of its own, is the subtitle's.
    assert_eq!(
        p.stories[0].subtitle.as_deref(),
        Some("郴州“林邑之城”夜经济消费季启动")
    );
    // Three short lines after the text are one headline: a kicker and a title.
    let spa = &p.stories[1];
    assert_eq!(spa.kicker.as_deref(), Some("以温泉为媒"));
    assert_eq!(spa.authors, ["朱红", "王平"]);
    assert!(spa.body.starts_with("汝城县热水镇"), "{}", spa.body);
    // The caption wrapped by the column is one caption, with its credit.
    assert_eq!(spa.captions.len(), 1, "{:?}", spa.captions);
    assert!(
        spa.captions[0].starts_with("图为游客在汝城热水镇温泉小镇游玩。")
            && spa.captions[0].ends_with('摄'),
        "{:?}",
        spa.captions
    );
    assert!(!p.warnings.iter().any(|w| w.message.contains("cut off")));
}

#[test]
fn a_commentary_signed_by_the_paper_and_a_role_word_after_the_names() {
    let p = page("qa_p_mixed.txt");
    assert_eq!(
        titles(&p),
        [
            "以实干实绩推动乡村全面振兴",
            "图片新闻",
            "“种粮大户”的新算盘"
        ]
    );
    // "本报评论员" under the headline is its byline, not the title.
    let comment = &p.stories[0];
    assert_eq!(comment.kicker, None);
    assert_eq!(comment.authors, ["本报评论员"]);
    assert!(comment.review.is_empty(), "{:?}", comment.review);
    // "（本报记者 唐 文 整理）": 整理 says what the reporter did; it is not a name.
    let interview = &p.stories[2];
    assert_eq!(interview.authors, ["唐文"]);
    assert_eq!(
        interview.subtitle.as_deref(),
        Some("访双牌县种粮大户周建国")
    );
    assert!(interview.body.starts_with("问："), "{}", interview.body);
}

#[test]
fn a_boxed_label_inside_a_story_is_a_section_and_a_jump_marker_is_recorded() {
    let p = page("qa_q_jumps.txt");
    assert_eq!(
        titles(&p),
        ["衡阳高新区新增规上企业23家", "南岳衡山景区迎来暑期旅游高峰"]
    );
    // "（下转第4版）" ends the first story's text; it is reported, not kept in the text, and
    // the story records where it goes on.
    assert!(!p.stories[0].body.contains("下转"), "{}", p.stories[0].body);
    assert!(p.unplaced.iter().any(|u| u.text == "（下转第4版）"));
    assert_eq!(p.stories[0].continued_on.as_deref(), Some("下转第4版"));
    assert_eq!(p.stories[1].continued_on, None);
    // "【人物名片】" is a box of the story it is printed in, not a story of its own.
    let scenic = &p.stories[1];
    assert!(scenic.body.contains("## 【人物名片】"), "{}", scenic.body);
    assert!(
        scenic.body.ends_with("旅游专线巴士12条。"),
        "{}",
        scenic.body
    );
}

#[test]
fn a_bold_headline_extracted_twice_on_lines_of_its_own_is_one_title() {
    let p = page("qa_r_bold.md");
    assert_eq!(
        titles(&p),
        ["芷江：鸭产业“游”出致富路", "洪江古商城入选省级旅游度假区"]
    );
    let duck = &p.stories[0];
    assert_eq!(duck.kicker, None);
    assert!(duck.review.is_empty(), "{:?}", duck.review);
    assert_eq!(duck.authors, ["杨帆", "蒲玲"]);
    assert_eq!(duck.captions, ["图为养殖户在喂鸭。蒲玲摄"]);
    // The second copy is recorded as removed, not lost.
    assert!(
        p.removed
            .iter()
            .any(|r| r.text == "芷江：鸭产业“游”出致富路" && r.reason == "doubled bold text")
    );
    // "（编辑 周 慧）" closes the page: a page credit.
    assert!(
        p.unplaced
            .iter()
            .any(|u| u.text.contains("周慧") && u.reason == "page editor credit"),
        "{:?}",
        p.unplaced
    );
}

#[test]
fn wire_copy_datelines_open_stories_of_their_own() {
    let p = page("qa_s_wire.txt");
    assert_eq!(
        titles(&p),
        [
            "我国成功发射一颗新型试验卫星",
            "全国秋粮收购工作有序开展",
            "桃江：竹产业年产值突破百亿"
        ]
    );
    assert_eq!(p.stories[0].authors, ["李国利"]);
    // "据新华社北京9月2日电　记者从…": a dateline under a headline, kept apart by a space.
    let grain = &p.stories[1];
    assert!(!p.stories[0].body.contains("秋粮"), "{}", p.stories[0].body);
    assert!(
        grain.body.starts_with("据新华社北京9月2日电 记者从"),
        "{}",
        grain.body
    );
    assert_eq!(p.stories[2].authors, ["夏炎"]);
}

#[test]
fn a_full_width_headline_between_two_indented_paragraphs_closes_the_story_above() {
    let p = page("qa_t_double.txt");
    assert_eq!(
        titles(&p),
        ["岳阳楼景区国庆接待游客26.8万人次", "平江酱干香飘四海"]
    );
    let first = &p.stories[0];
    assert_eq!(first.authors, ["方芳"]);
    assert!(first.body.ends_with("文化活动20余场。"), "{}", first.body);
    let second = &p.stories[1];
    assert_eq!(second.authors, ["吴亮"]);
    assert!(
        second.body.starts_with("10月6日，平江县"),
        "{}",
        second.body
    );
}

#[test]
fn a_roundup_of_place_tagged_briefs_under_a_beat_heading_is_one_column() {
    let p = page("qa_u_roundup.txt");
    assert_eq!(titles(&p), ["市州动态", "湘江北去 橘子洲头游人如织"]);
    // Each "【株洲】…（邓 伟）" line is a brief: a paragraph of the column, its credit an author.
    let briefs = &p.stories[0];
    assert!(!briefs.body.contains("市州动态"), "{}", briefs.body);
    assert_eq!(briefs.body.split("\n\n").count(), 3, "{}", briefs.body);
    assert_eq!(briefs.authors, ["邓伟", "陈红", "李杰"]);
    assert_eq!(p.stories[1].authors, ["刘洋"]);
}

#[test]
fn full_width_digits_date_the_page_and_read_as_ascii() {
    let p = page("qa_v_heads.txt");
    // "２０２４年５月２０日" in a running head that also gives the lunar date and "Ａ０３版".
    assert_eq!(p.date, Some((2024, 5, 20)));
    assert_eq!(titles(&p), ["津市牛肉粉入选省级非遗名录"]);
    let s = &p.stories[0];
    assert!(s.body.starts_with("5月18日，"), "{}", s.body);
    assert!(s.body.contains("1200余家"), "{}", s.body);
    assert!(p.unplaced.iter().any(|u| u.text.ends_with("A03版")));
}

#[test]
fn a_poem_keeps_its_lines_and_stanzas() {
    let p = page("qa_w_poem.txt");
    assert_eq!(titles(&p), ["秋日的湘江", "外婆的菜园"]);
    let poem = &p.stories[0];
    assert_eq!(poem.authors, ["刘芳"]);
    // Two stanzas, each line ending in a Markdown hard break but the last.
    let stanzas: Vec<&str> = poem.body.split("\n\n").collect();
    assert_eq!(stanzas.len(), 2, "{}", poem.body);
    assert_eq!(
        stanzas[0],
        "湘江水静静流淌\\\n载着落叶的金黄\\\n我站在橘子洲头\\\n看白鹭飞过远方"
    );
    assert!(stanzas[1].ends_with("永远是我的天堂"), "{}", stanzas[1]);
    // The prose piece after it is read as prose.
    let prose = &p.stories[1];
    assert_eq!(prose.authors, ["王立"]);
    assert_eq!(prose.kicker, None);
    assert!(!prose.body.contains('\\'), "{}", prose.body);
}

#[test]
fn a_markdown_table_is_kept_as_printed_between_its_paragraphs() {
    let p = page("qa_x_table.md");
    assert_eq!(titles(&p), ["前三季度全市经济运行稳中向好"]);
    let s = &p.stories[0];
    let paras: Vec<&str> = s.body.split("\n\n").collect();
    assert_eq!(paras.len(), 3, "{}", s.body);
    assert!(
        paras[1].starts_with("| 指标 | 数值 | 增长 |\n| --- | --- | --- |\n"),
        "{}",
        paras[1]
    );
    assert_eq!(paras[1].lines().count(), 5);
    assert!(paras[2].starts_with("市统计局负责人"), "{}", paras[2]);
    // It renders as a table.
    let html = folio::render::markdown_to_html(&s.body);
    assert!(
        html.contains("<table>") && html.contains("<td>1860亿元</td>"),
        "{html}"
    );
}

#[test]
fn bracketed_numbered_sections_and_an_appendix_left_out() {
    let p = page("qa_y_sections.txt");
    assert_eq!(titles(&p), ["张家界出台文旅融合发展三年行动方案"]);
    let s = &p.stories[0];
    assert_eq!(s.body.matches("\n\n## （").count(), 3, "{}", s.body);
    // "附：…（略）" ends the story: nothing was cut off.
    assert!(s.body.ends_with("重点项目清单（略）"), "{}", s.body);
    assert!(s.review.is_empty(), "{:?}", s.review);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn background_under_a_link_label_after_a_story_is_a_section_of_it() {
    let p = page("qa_z_links.txt");
    assert_eq!(titles(&p), ["双峰农机合作社：科技赋能春耕忙"]);
    let s = &p.stories[0];
    assert_eq!(s.authors, ["彭亮", "谢婷", "曾勇"]);
    assert_eq!(s.captions, ["（本文图片由双峰县农业农村局提供）"]);
    assert!(
        s.body.ends_with(
            "## 相关链接\n\n双峰县是全国粮食生产先进县，常年粮食播种面积稳定在80万亩以上。"
        ),
        "{}",
        s.body
    );
    assert!(s.review.is_empty(), "{:?}", s.review);
}

#[test]
fn a_dateline_credit_wrapped_by_the_column_and_a_letter_spaced_headline() {
    let p = page("qa_aa_spaced.txt");
    assert_eq!(
        titles(&p),
        ["南岳茶旅融合签约8.6亿元", "耒阳：油菜花开引客来"]
    );
    // The credit goes on in the next line: read whole, its names are the authors, and the
    // text starts after it.
    let tea = &p.stories[0];
    assert_eq!(tea.authors, ["刘洋", "王小红"]);
    assert_eq!(tea.credits, ["本报讯（记者 刘洋 通讯员 王小红）"]);
    assert!(
        tea.body.starts_with("5月16日，衡阳市南岳区"),
        "{}",
        tea.body
    );
    assert_eq!(tea.continued_on.as_deref(), Some("下转2版"));
    // Spaced like running text, but well short of the column and after a finished story: a
    // headline, not the first words of the text below it.
    let rape = &p.stories[1];
    assert!(rape.body.starts_with("近日，耒阳市"), "{}", rape.body);
    assert_eq!(rape.authors, ["李明"]);
    assert!(rape.review.is_empty(), "{:?}", rape.review);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn a_headline_block_ending_the_page_with_no_text_is_not_an_empty_article() {
    let p = page("qa_ab_headline_last.txt");
    // The continued story's headline is on the page it starts on: the block after its text
    // heads the text that follows.
    assert_eq!(titles(&p), ["", "湘潭：一江碧水向北流"], "{:#?}", p.stories);
    assert!(p.stories.iter().all(|s| !s.body.is_empty()));
    let (jump, lotus) = (&p.stories[0], &p.stories[1]);
    assert!(jump.continuation);
    assert_eq!(jump.authors, ["欧阳芳"]);
    assert_eq!(lotus.authors, ["周婷", "李华"]);
    assert!(
        lotus.body.starts_with("7月11日，湘潭县花石镇"),
        "{}",
        lotus.body
    );
    // The headline and subtitle left at the page's end are listed for the editor, not written
    // as an article without text.
    let unplaced: Vec<(&str, &str)> = (p.unplaced.iter())
        .map(|u| (u.text.as_str(), u.reason.as_str()))
        .collect();
    assert!(
        unplaced.contains(&("湘莲飘香富农家", "headline with no story"))
            && unplaced.contains(&(
                "湘潭县花石镇发展湘莲产业见闻",
                "subtitle of a headline with no story"
            )),
        "{unplaced:?}"
    );
    assert!(
        p.warnings
            .iter()
            .any(|w| w.message.starts_with("headline with no text")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn short_paragraphs_one_per_line_are_paragraph_text_and_an_editors_note_leads_the_story_below() {
    let p = page("qa_ac_short_paragraphs.txt");
    assert_eq!(
        titles(&p),
        ["新化：紫鹊界梯田迎来丰收季", "涟源：老旧小区换新颜"],
        "{:#?}",
        p.stories
    );
    let interview = &p.stories[1];
    assert!(interview.body.starts_with("编者按："), "{}", interview.body);
    assert!(
        interview
            .body
            .ends_with("刘芳：我们准备增设充电桩和适老化设施。"),
        "{}",
        interview.body
    );
    assert_eq!(interview.authors, ["彭亮"]);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn a_headline_extracted_twice_as_two_lines_is_read_once() {
    let p = page("qa_ad_single_spaced.txt");
    assert_eq!(
        titles(&p),
        ["醴陵陶瓷：“瓷”海扬帆走向世界", "炎陵黄桃有了“品牌标准”"]
    );
    // The copy is removed as doubled type, not glued to the next story's first line.
    let peach = &p.stories[1];
    assert!(
        peach.body.starts_with("本报讯 11月6日，炎陵县黄桃"),
        "{}",
        peach.body
    );
    assert!(
        p.removed
            .iter()
            .any(|r| r.line == 12 && r.reason == "doubled bold text"),
        "{:?}",
        p.removed
    );
    assert_eq!(peach.authors, ["张丽", "刘强"]);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn a_source_line_under_the_byline_is_a_credit_not_a_headline() {
    let p = page("qa_af_source_line.md");
    assert_eq!(
        titles(&p),
        ["长沙地铁6号线东延段开通运营", "岳阳：洞庭湖区迎来越冬候鸟"]
    );
    let metro = &p.stories[0];
    assert_eq!(metro.authors, ["周勇"]);
    assert!(
        metro.credits.iter().any(|c| c == "来源：湖南日报"),
        "{:?}",
        metro.credits
    );
    assert!(metro.body.starts_with("12月1日上午"), "{}", metro.body);
    assert!(p.stories.iter().all(|s| !s.body.is_empty()));
}
