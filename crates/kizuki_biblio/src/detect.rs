//! Which format a file is in, from its first lines (and, where they cannot tell, its name).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RIS, as EBSCO, Ovid, Scopus, Web of Science, ProQuest, EndNote, Zotero and Rayyan write it.
    Ris,
    /// MEDLINE/PubMed tagged text (`.nbib`, `.txt`).
    Medline,
    PubmedXml,
    EndnoteXml,
    Bibtex,
    /// Web of Science tagged text (`.ciw`, `.txt`).
    WebOfScience,
    Csv,
    Unknown,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Ris => "RIS",
            Format::Medline => "MEDLINE",
            Format::PubmedXml => "PubMed XML",
            Format::EndnoteXml => "EndNote XML",
            Format::Bibtex => "BibTeX",
            Format::WebOfScience => "Web of Science",
            Format::Csv => "CSV",
            Format::Unknown => "unknown",
        }
    }
}

/// Whether `line` is a RIS field: two characters (a capital, then a capital or digit), two
/// spaces, a hyphen, then a space or nothing.
pub(crate) fn ris_tag(line: &str) -> Option<(&str, &str)> {
    let bytes = line.as_bytes();
    if bytes.len() < 5
        || !bytes[0].is_ascii_uppercase()
        || !(bytes[1].is_ascii_uppercase() || bytes[1].is_ascii_digit())
    {
        return None;
    }
    let rest = &line[2..];
    let rest = rest
        .strip_prefix("  -")
        .or_else(|| rest.strip_prefix(" -"))?;
    if !rest.is_empty() && !rest.starts_with(' ') {
        return None;
    }
    Some((&line[..2], rest.trim()))
}

/// The format of `text`, a file named `file_name`.
pub fn detect(text: &str, file_name: &str) -> Format {
    let lines: Vec<&str> = text
        .lines()
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| !line.trim().is_empty())
        .take(400)
        .collect();
    let first = lines.first().map_or("", |line| line.trim_start());
    if first.starts_with("<?xml") || first.starts_with('<') {
        let head: String = lines.iter().take(40).copied().collect();
        if head.contains("<PubmedArticle") || head.contains("PubmedArticleSet") {
            return Format::PubmedXml;
        }
        if head.contains("<xml>") || head.contains("<records>") || head.contains("<record>") {
            return Format::EndnoteXml;
        }
        return Format::Unknown;
    }
    if lines
        .iter()
        .any(|line| line.starts_with("TY  -") || line.starts_with("TY -"))
    {
        return Format::Ris;
    }
    if lines
        .iter()
        .any(|line| line.starts_with("PMID- ") || line.starts_with("PMID-"))
    {
        return Format::Medline;
    }
    if first.starts_with("FN ")
        || (lines.iter().any(|line| line.starts_with("PT ")) && lines.contains(&"ER"))
    {
        return Format::WebOfScience;
    }
    if lines
        .iter()
        .any(|line| line.trim_start().starts_with('@') && line.contains('{'))
    {
        return Format::Bibtex;
    }
    // PubMed's search history (searches, not records: the table reader says so).
    if first.trim() == "Recent queries in pubmed" {
        return Format::Csv;
    }
    let lower = file_name.to_ascii_lowercase();
    if first.contains(',')
        || first.contains('\t')
        || lower.ends_with(".csv")
        || lower.ends_with(".tsv")
    {
        return Format::Csv;
    }
    Format::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart_by_their_first_lines() {
        assert_eq!(detect("1.\nTY  - JOUR\nER  -\n", "x.ris"), Format::Ris);
        assert_eq!(detect("\nPMID- 123\nTI  - x\n", "x.nbib"), Format::Medline);
        assert_eq!(
            detect(
                "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nER\n",
                "x.ciw"
            ),
            Format::WebOfScience
        );
        assert_eq!(
            detect("@article{key,\n title={x}}\n", "x.bib"),
            Format::Bibtex
        );
        assert_eq!(
            detect(
                "<?xml version=\"1.0\"?>\n<!DOCTYPE PubmedArticleSet>\n<PubmedArticleSet>",
                "x.xml"
            ),
            Format::PubmedXml
        );
        assert_eq!(
            detect("<?xml version=\"1.0\"?><xml><records><record>", "x.xml"),
            Format::EndnoteXml
        );
        assert_eq!(detect("Title,Authors,Year\n", "x.csv"), Format::Csv);
        assert_eq!(detect("hello", "x.txt"), Format::Unknown);
    }

    #[test]
    fn ris_fields_need_the_two_spaces_and_the_hyphen() {
        assert_eq!(ris_tag("TI  - A title"), Some(("TI", "A title")));
        assert_eq!(ris_tag("ER  -"), Some(("ER", "")));
        assert_eq!(
            ris_tag("A1  - Trindade, Ines A"),
            Some(("A1", "Trindade, Ines A"))
        );
        assert_eq!(ris_tag("Link to the Ovid Full Text"), None);
        assert_eq!(ris_tag("TI  -x"), None);
        assert_eq!(ris_tag("ti  - x"), None);
    }
}
