//! PubMed's XML (`PubmedArticleSet`) and EndNote's XML (`xml/records/record`, also written by
//! Mendeley and Zotero), read with roxmltree. Each record keeps every element that holds text,
//! named by its path inside the record (with its attributes, as `ArticleId[IdType=doi]`), so
//! nothing the file says is lost.

use roxmltree::{Document, Node, ParsingOptions};

use crate::ReadError;
use crate::normalise;
use crate::record::{Field, Record};

/// Elements that only style text (EndNote wraps every value in `style`; PubMed italicises).
const INLINE: &[&str] = &["style", "i", "b", "u", "sup", "sub", "em", "strong"];

fn parse(text: &str) -> Result<Document<'_>, ReadError> {
    let options = ParsingOptions {
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, options).map_err(|error| ReadError {
        line: error.pos().row as usize,
        expected: format!("well-formed XML ({error})"),
    })
}

/// Where each line begins, to name a node's line without counting from the top each time
/// (roxmltree's `text_pos_at` does, which a file of thousands of records would pay for in
/// every one).
struct Lines(Vec<usize>);

impl Lines {
    fn of(text: &str) -> Lines {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Lines(starts)
    }

    fn line_of(&self, node: Node) -> usize {
        self.0.partition_point(|start| *start <= node.range().start)
    }
}

/// The node's text with its inline markup, spaces run together.
fn text_of(node: Node) -> String {
    let text: String = node
        .descendants()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn holds_text(node: Node) -> bool {
    node.children()
        .any(|child| child.is_text() && child.text().is_some_and(|t| !t.trim().is_empty()))
        || (node.children().any(|c| c.is_element())
            && node
                .children()
                .filter(Node::is_element)
                .all(|child| INLINE.contains(&child.tag_name().name())))
}

/// Every element of `record` that holds text, as a field named by its path.
fn fields(record: Node) -> Vec<Field> {
    let mut found = Vec::new();
    collect(record, "", &mut found);
    found
}

fn collect(node: Node, path: &str, found: &mut Vec<Field>) {
    for child in node.children().filter(Node::is_element) {
        let mut name = child.tag_name().name().to_owned();
        let attributes: Vec<String> = child
            .attributes()
            .map(|a| format!("{}={}", a.name(), a.value()))
            .collect();
        if !attributes.is_empty() && !INLINE.contains(&name.as_str()) {
            name = format!("{name}[{}]", attributes.join(" "));
        }
        let tag = if path.is_empty() {
            name
        } else {
            format!("{path}/{name}")
        };
        if holds_text(child) {
            let value = text_of(child);
            if !value.is_empty() {
                found.push(Field { tag, value });
            }
        } else {
            collect(child, &tag, found);
        }
    }
}

fn child<'a, 'i>(node: Node<'a, 'i>, path: &[&str]) -> Option<Node<'a, 'i>> {
    path.iter().try_fold(node, |at, name| {
        at.children().find(|c| c.has_tag_name(*name))
    })
}

fn children<'a, 'i>(node: Node<'a, 'i>, path: &[&str]) -> Vec<Node<'a, 'i>> {
    let Some((last, parents)) = path.split_last() else {
        return Vec::new();
    };
    child(node, parents)
        .map(|parent| {
            parent
                .children()
                .filter(|c| c.has_tag_name(*last))
                .collect()
        })
        .unwrap_or_default()
}

fn text_at(node: Node, path: &[&str]) -> Option<String> {
    child(node, path).map(text_of).filter(|t| !t.is_empty())
}

pub fn read_pubmed_xml(text: &str) -> Result<Vec<Record>, ReadError> {
    let document = parse(text)?;
    let lines = Lines::of(text);
    let root = document.root_element();
    let mut records = Vec::new();
    for article in root
        .children()
        .filter(|n| n.has_tag_name("PubmedArticle") || n.has_tag_name("PubmedBookArticle"))
    {
        let citation = child(article, &["MedlineCitation"]).or(child(article, &["BookDocument"]));
        let Some(citation) = citation else {
            return Err(ReadError {
                line: lines.line_of(article),
                expected: "MedlineCitation (or BookDocument) in the article".into(),
            });
        };
        let paper = child(citation, &["Article"]).unwrap_or(citation);
        let journal = child(paper, &["Journal"]);
        let ids = children(article, &["PubmedData", "ArticleIdList", "ArticleId"]);
        let id_of = |kind: &str| {
            ids.iter()
                .find(|id| id.attribute("IdType") == Some(kind))
                .map(|id| text_of(*id))
        };
        let authors = children(paper, &["AuthorList", "Author"])
            .into_iter()
            .filter_map(|author| {
                let family = text_at(author, &["LastName"]);
                let given = text_at(author, &["ForeName"]).or(text_at(author, &["Initials"]));
                match (family, given) {
                    (Some(family), Some(given)) => Some(format!("{family}, {given}")),
                    (Some(family), None) => Some(family),
                    _ => text_at(author, &["CollectiveName"]),
                }
            })
            .collect();
        let date = journal.and_then(|j| child(j, &["JournalIssue", "PubDate"]));
        let abstract_text: Vec<String> = children(paper, &["Abstract", "AbstractText"])
            .into_iter()
            .map(|part| match part.attribute("Label") {
                Some(label) => format!("{label}: {}", text_of(part)),
                None => text_of(part),
            })
            .collect();
        let doi = children(paper, &["ELocationID"])
            .into_iter()
            .filter(|id| id.attribute("EIdType") == Some("doi"))
            .map(text_of)
            .chain(id_of("doi"))
            .find_map(|raw| normalise::doi(&raw));
        records.push(Record {
            line: lines.line_of(article),
            fields: fields(article),
            kind: children(paper, &["PublicationTypeList", "PublicationType"])
                .first()
                .map(|t| text_of(*t))
                .unwrap_or_else(|| article.tag_name().name().to_owned()),
            title: text_at(paper, &["ArticleTitle"])
                .or(text_at(paper, &["BookTitle"]))
                .unwrap_or_default(),
            authors,
            journal: journal.and_then(|j| text_at(j, &["Title"])),
            journal_abbreviation: journal.and_then(|j| text_at(j, &["ISOAbbreviation"])),
            year: date.and_then(|d| {
                text_at(d, &["Year"])
                    .or(text_at(d, &["MedlineDate"]))
                    .and_then(|y| normalise::year(&y))
            }),
            volume: journal.and_then(|j| text_at(j, &["JournalIssue", "Volume"])),
            issue: journal.and_then(|j| text_at(j, &["JournalIssue", "Issue"])),
            pages: text_at(paper, &["Pagination", "MedlinePgn"])
                .and_then(|p| normalise::pages(&p, "")),
            doi,
            pmid: text_at(citation, &["PMID"]).and_then(|p| normalise::pmid(&p)),
            pmcid: id_of("pmc").and_then(|p| normalise::pmcid(&p)),
            abstract_text: (!abstract_text.is_empty()).then(|| abstract_text.join("\n")),
            keywords: children(citation, &["KeywordList", "Keyword"])
                .into_iter()
                .chain(
                    children(citation, &["MeshHeadingList", "MeshHeading"])
                        .into_iter()
                        .filter_map(|h| child(h, &["DescriptorName"])),
                )
                .map(text_of)
                .filter(|k| !k.is_empty())
                .collect(),
            issn: journal
                .map(|j| children(j, &["ISSN"]).into_iter().map(text_of).collect())
                .unwrap_or_default(),
            language: text_at(paper, &["Language"]),
        });
    }
    if records.is_empty() {
        return Err(ReadError {
            line: lines.line_of(root),
            expected: "PubmedArticle elements in the PubmedArticleSet".into(),
        });
    }
    Ok(records)
}

pub fn read_endnote_xml(text: &str) -> Result<Vec<Record>, ReadError> {
    let document = parse(text)?;
    let lines = Lines::of(text);
    let root = document.root_element();
    let list = if root.has_tag_name("records") {
        Some(root)
    } else {
        child(root, &["records"])
    };
    let Some(list) = list else {
        return Err(ReadError {
            line: lines.line_of(root),
            expected: "<records> in EndNote's XML".into(),
        });
    };
    let mut records = Vec::new();
    for record in list.children().filter(|n| n.has_tag_name("record")) {
        let each = |path: &[&str]| -> Vec<String> {
            children(record, path)
                .into_iter()
                .map(text_of)
                .filter(|t| !t.is_empty())
                .collect()
        };
        let one = |path: &[&str]| text_at(record, path);
        records.push(Record {
            line: lines.line_of(record),
            fields: fields(record),
            kind: child(record, &["ref-type"])
                .and_then(|t| t.attribute("name").map(str::to_owned))
                .unwrap_or_default(),
            title: one(&["titles", "title"]).unwrap_or_default(),
            authors: each(&["contributors", "authors", "author"]),
            journal: one(&["periodical", "full-title"]).or(one(&["titles", "secondary-title"])),
            journal_abbreviation: one(&["periodical", "abbr-1"])
                .or(one(&["alt-periodical", "abbr-1"])),
            year: one(&["dates", "year"]).and_then(|y| normalise::year(&y)),
            volume: one(&["volume"]),
            issue: one(&["number"]).or(one(&["issue"])),
            pages: one(&["pages"]).and_then(|p| normalise::pages(&p, "")),
            doi: one(&["electronic-resource-num"])
                .into_iter()
                .chain(each(&["urls", "related-urls", "url"]))
                .find_map(|raw| normalise::doi(&raw)),
            pmid: one(&["accession-num"])
                .filter(|_| {
                    one(&["remote-database-provider"]).is_some_and(|p| p.contains("NLM"))
                        || one(&["remote-database-name"])
                            .is_some_and(|p| p.contains("PubMed") || p.contains("MEDLINE"))
                })
                .and_then(|p| normalise::pmid(&p)),
            pmcid: None,
            abstract_text: one(&["abstract"]),
            keywords: each(&["keywords", "keyword"]),
            issn: one(&["isbn"]).into_iter().collect(),
            language: one(&["language"]),
        });
    }
    if records.is_empty() {
        return Err(ReadError {
            line: lines.line_of(list),
            expected: "<record> elements in <records>".into(),
        });
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBMED: &str = r#"<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2019//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">
<PubmedArticleSet>
<PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
    <PMID Version="1">30747696</PMID>
    <Article PubModel="Print">
      <Journal>
        <ISSN IssnType="Electronic">1555-9823</ISSN>
        <JournalIssue CitedMedium="Internet"><Volume>84</Volume><Issue>10</Issue><PubDate><Year>2018</Year><Month>Oct</Month></PubDate></JournalIssue>
        <Title>The American surgeon</Title>
        <ISOAbbreviation>Am Surg</ISOAbbreviation>
      </Journal>
      <ArticleTitle>Treatment Effect or <i>Effective</i> Treatment?</ArticleTitle>
      <Pagination><MedlinePgn>1691-5</MedlinePgn></Pagination>
      <Abstract><AbstractText Label="PURPOSE">To compare.</AbstractText><AbstractText Label="RESULTS">Higher.</AbstractText></Abstract>
      <AuthorList><Author><LastName>Tibbits</LastName><ForeName>Emily M</ForeName></Author><Author><CollectiveName>REBOA Group</CollectiveName></Author></AuthorList>
      <Language>eng</Language>
    </Article>
  </MedlineCitation>
  <PubmedData><ArticleIdList><ArticleId IdType="pubmed">30747696</ArticleId><ArticleId IdType="doi">10.1177/000313481808401015</ArticleId><ArticleId IdType="pmc">PMC6543210</ArticleId></ArticleIdList></PubmedData>
</PubmedArticle>
</PubmedArticleSet>"#;

    #[test]
    fn pubmed_xml_is_read_with_every_element_kept() {
        let records = read_pubmed_xml(PUBMED).unwrap();
        assert_eq!(records.len(), 1);
        let record = &records[0];
        assert_eq!(record.line, 4);
        assert_eq!(record.title, "Treatment Effect or Effective Treatment?");
        assert_eq!(record.authors, ["Tibbits, Emily M", "REBOA Group"]);
        assert_eq!(record.pmid.as_deref(), Some("30747696"));
        assert_eq!(record.pmcid.as_deref(), Some("PMC6543210"));
        assert_eq!(record.doi.as_deref(), Some("10.1177/000313481808401015"));
        assert_eq!(record.pages.as_deref(), Some("1691–1695"));
        assert_eq!(record.year, Some(2018));
        assert_eq!(
            record.abstract_text.as_deref(),
            Some("PURPOSE: To compare.\nRESULTS: Higher.")
        );
        assert!(
            record
                .fields
                .iter()
                .any(|f| f.tag == "PubmedData/ArticleIdList/ArticleId[IdType=doi]")
        );
        assert!(
            record
                .fields
                .iter()
                .any(|f| f.tag.ends_with("ArticleTitle") && f.value.contains("Effective"))
        );
    }

    #[test]
    fn endnote_xml_is_read_through_its_styles() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" ?><xml><records><record><ref-type name="Journal Article">17</ref-type><contributors><authors><author><style face="normal">Asemota, E. A.</style></author><author><style face="normal">Okafor, I. M.</style></author></authors></contributors><titles><title><style face="normal">Zinc, copper</style></title><secondary-title><style>Biol Trace Elem Res</style></secondary-title></titles><pages><style>590-5</style></pages><dates><year><style>2020</style></year></dates><electronic-resource-num><style>10.1007/s12011-019-01234-5</style></electronic-resource-num></record></records></xml>"#;
        let records = read_endnote_xml(xml).unwrap();
        assert_eq!(records.len(), 1);
        let record = &records[0];
        assert_eq!(record.kind, "Journal Article");
        assert_eq!(record.authors, ["Asemota, E. A.", "Okafor, I. M."]);
        assert_eq!(record.title, "Zinc, copper");
        assert_eq!(record.journal.as_deref(), Some("Biol Trace Elem Res"));
        assert_eq!(record.pages.as_deref(), Some("590–595"));
        assert_eq!(record.doi.as_deref(), Some("10.1007/s12011-019-01234-5"));
        assert!(
            record
                .fields
                .iter()
                .any(|f| f.tag == "titles/title" && f.value == "Zinc, copper")
        );
    }

    #[test]
    fn broken_xml_names_its_line() {
        let error = read_endnote_xml("<?xml version=\"1.0\"?>\n<xml><records>\n<record></records>")
            .unwrap_err();
        assert_eq!(error.line, 3);
    }
}
