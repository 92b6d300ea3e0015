//! Dates stated in page text: the newest complete date (year, month, day).
//!
//! It must NOT guess missing parts (a date without a year is ignored) and must
//! not read manifests (the driver does that).

use regex::Regex;
use std::sync::LazyLock;

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日").expect("static regex")
});

/// The newest valid complete date the text states, if any.
pub fn newest_date(text: &str) -> Option<(i32, u32, u32)> {
    DATE.captures_iter(text)
        .filter_map(|c| {
            let y: i32 = c[1].parse().ok()?;
            let m: u32 = c[2].parse().ok()?;
            let d: u32 = c[3].parse().ok()?;
            valid(y, m, d).then_some((y, m, d))
        })
        .max()
}

fn valid(y: i32, m: u32, d: u32) -> bool {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2200).contains(&y) && (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_complete_date() {
        let t = "2020 年 8 月 19 日召开；受理截止时间为 2024 年 11 月 15 日。12月2日";
        assert_eq!(newest_date(t), Some((2024, 11, 15)));
    }

    #[test]
    fn invalid_or_partial_dates_ignored() {
        assert_eq!(newest_date("2023年2月30日 与 3月29日"), None);
        assert_eq!(newest_date("没有日期"), None);
    }
}
