//! A file's lines, numbered from 1, whatever ends them: CR LF, LF or a lone CR (Web of Science
//! exports mix them), with a byte-order mark left off the first.

pub(crate) fn numbered(text: &str) -> Vec<(usize, &str)> {
    let mut lines = Vec::new();
    let bytes = text.as_bytes();
    let (mut start, mut at) = (0, 0);
    while at < bytes.len() {
        match bytes[at] {
            b'\n' => {
                lines.push(&text[start..at]);
                start = at + 1;
            }
            b'\r' => {
                lines.push(&text[start..at]);
                if bytes.get(at + 1) == Some(&b'\n') {
                    at += 1;
                }
                start = at + 1;
            }
            _ => {}
        }
        at += 1;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim_start_matches('\u{feff}')))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_line_ending_ends_a_line() {
        let lines = super::numbered("\u{feff}a\r\nb\rc\nd");
        assert_eq!(lines, [(1, "a"), (2, "b"), (3, "c"), (4, "d")]);
        assert!(super::numbered("").is_empty());
    }
}
