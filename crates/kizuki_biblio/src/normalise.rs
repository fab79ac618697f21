//! The fields a review compares across databases, written one way whatever way they came.

/// A DOI without its resolver or label (`https://doi.org/`, `http://dx.doi.org/`, `doi:`), in
/// lower case (DOIs are matched without regard to case), trailing punctuation left out.
pub fn doi(raw: &str) -> Option<String> {
    let start = raw.find("10.")?;
    let rest = &raw[start..];
    let (prefix, suffix) = rest.split_once('/')?;
    let registrant = &prefix[3..];
    let leading = registrant.bytes().take_while(u8::is_ascii_digit).count();
    if leading < 4 || !registrant.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let suffix: String = suffix.chars().take_while(|c| !c.is_whitespace()).collect();
    let suffix = suffix.trim_end_matches(['.', ',', ';', ')', ']']);
    if suffix.is_empty() {
        return None;
    }
    Some(format!("{prefix}/{suffix}").to_lowercase())
}

/// A PubMed id: its digits, from `31234567`, `PMID: 31234567` or `31234567 [PubMed - indexed]`.
pub fn pmid(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let raw = raw
        .strip_prefix("PMID:")
        .or_else(|| raw.strip_prefix("PMID"))
        .unwrap_or(raw)
        .trim_start();
    let digits: String = raw.chars().take_while(char::is_ascii_digit).collect();
    (1..=9).contains(&digits.len()).then_some(digits)
}

/// A PubMed Central id as `PMC` and its digits.
pub fn pmcid(raw: &str) -> Option<String> {
    let at = raw.to_ascii_uppercase().find("PMC")?;
    let digits: String = raw[at + 3..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then(|| format!("PMC{digits}"))
}

/// The year: the first four digits from 1000 to 2999 standing alone (`2019//`, `2019 Mar 5`,
/// `2019-03-05`).
pub fn year(raw: &str) -> Option<i32> {
    let bytes = raw.as_bytes();
    (0..bytes.len().saturating_sub(3)).find_map(|at| {
        let window = &bytes[at..at + 4];
        let alone_before = at == 0 || !bytes[at - 1].is_ascii_digit();
        let alone_after = bytes.get(at + 4).is_none_or(|b| !b.is_ascii_digit());
        let digits = window.iter().all(u8::is_ascii_digit);
        let year: i32 = std::str::from_utf8(window).ok()?.parse().ok()?;
        (digits && alone_before && alone_after && (1000..3000).contains(&year)).then_some(year)
    })
}

/// Pages as `first–last` (an en dash), a shortened last page written out (`590-5` is
/// `590–595`); one page alone; none for what only says there are none ("No Pagination
/// Specified").
pub fn pages(start: &str, end: &str) -> Option<String> {
    let (start, end) = match (start.trim(), end.trim()) {
        (start, "") => match start.split_once(['-', '–', '—']) {
            Some((first, last)) => (first.trim(), last.trim()),
            None => (start, ""),
        },
        both => both,
    };
    if start.is_empty() || !start.chars().any(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    if start.eq_ignore_ascii_case("no") || start.to_ascii_lowercase().starts_with("no pagination") {
        return None;
    }
    if end.is_empty() || end == start {
        return Some(start.to_owned());
    }
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let end = if all_digits(start) && all_digits(end) && end.len() < start.len() {
        // 590-5 → 595, 1229-31 → 1231: the end's digits replace the start's last ones.
        format!("{}{end}", &start[..start.len() - end.len()])
    } else {
        end.to_owned()
    };
    if end == start {
        return Some(start.to_owned());
    }
    Some(format!("{start}–{end}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dois_lose_their_resolver_and_case() {
        for raw in [
            "10.1002/CPP.2398",
            "http://dx.doi.org/10.1002/cpp.2398",
            "https://doi.org/10.1002/cpp.2398.",
            "doi: 10.1002/cpp.2398",
            "10.1002/cpp.2398 [doi]",
        ] {
            assert_eq!(doi(raw).as_deref(), Some("10.1002/cpp.2398"), "{raw}");
        }
        assert_eq!(doi("no doi here"), None);
        assert_eq!(
            doi("10.1/x"),
            None,
            "a registrant code has four digits or more"
        );
    }

    #[test]
    fn pubmed_ids_are_their_digits() {
        assert_eq!(pmid("PMID: 31234567").as_deref(), Some("31234567"));
        assert_eq!(
            pmid("31234567 [PubMed - indexed for MEDLINE]").as_deref(),
            Some("31234567")
        );
        assert_eq!(pmid("abc"), None);
        assert_eq!(pmcid("pmc6543210").as_deref(), Some("PMC6543210"));
    }

    #[test]
    fn years_come_from_any_date_form() {
        assert_eq!(year("2019//"), Some(2019));
        assert_eq!(year("2019 Mar 5"), Some(2019));
        assert_eq!(year("Spring 2008"), Some(2008));
        assert_eq!(year("12019"), None);
        assert_eq!(year(""), None);
    }

    #[test]
    fn short_page_ranges_are_written_out() {
        assert_eq!(pages("590-5", "").as_deref(), Some("590–595"));
        assert_eq!(pages("1229", "31").as_deref(), Some("1229–1231"));
        assert_eq!(pages("e1001", "").as_deref(), Some("e1001"));
        assert_eq!(pages("S12", "S19").as_deref(), Some("S12–S19"));
        assert_eq!(pages("No", "Specified"), None);
        assert_eq!(pages("No Pagination Specified", ""), None);
        assert_eq!(pages("", ""), None);
    }

    proptest! {
        #[test]
        fn normalising_never_panics_and_is_stable(raw in ".{0,40}", other in ".{0,10}") {
            if let Some(found) = doi(&raw) {
                prop_assert_eq!(doi(&found), Some(found.clone()));
            }
            if let Some(found) = pages(&raw, "") {
                prop_assert_eq!(pages(&found, ""), Some(found.clone()));
            }
            let _ = (pages(&raw, &other), pmid(&raw), pmcid(&raw), year(&raw));
        }
    }
}
