//! What a project gives back: the A型 diagram (SVG, with a form for its relations), the report
//! table in the layout of the report's Tables 1–3 (printable), and the B型 write-up (Markdown,
//! card references such as `#12` expanded into an appendix of quotes).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use kizuki_domain::qda::diagram::{self, Block, Link};
use kizuki_domain::text;
use std::collections::HashMap;

use kizuki_store::{QdaNode, QdaProject, QdaRelation};
use serde::Deserialize;

use super::board::{GroupOption, group_options};
use super::project;
use crate::context::{CurrentUser, RequestContext};
use crate::download;
use crate::error::AppError;
use crate::forms::{CleanForm, redirect_with_flash};
use crate::qda_downloads::logged_table;
use crate::state::AppState;
use crate::views::{self, Chrome};

/// The top node above `id`, following `parents` (node → its parent).
fn top_of(id: i64, parents: &HashMap<i64, Option<i64>>) -> i64 {
    let mut current = id;
    for _ in 0..parents.len() {
        match parents.get(&current).copied().flatten() {
            Some(parent) => current = parent,
            None => break,
        }
    }
    current
}

/// The diagram's SVG, and where each top-level box is drawn (id, left, top).
fn diagram_svg(
    project: &QdaProject,
    nodes: &[QdaNode],
    relations: &[QdaRelation],
    lang: kizuki_i18n::Lang,
    today: jiff::civil::Date,
) -> (String, Vec<(i64, i64, i64)>) {
    let blocks: Vec<Block> = nodes
        .iter()
        .filter(|n| n.is_group && n.parent_id.is_none())
        .map(|group| Block {
            id: group.id,
            label: group.label.clone(),
            inner: nodes
                .iter()
                .filter(|n| n.is_group && n.parent_id == Some(group.id))
                .map(|n| n.label.clone())
                .collect(),
            placed: group.board_x.zip(group.board_y),
        })
        .collect();
    let parents: HashMap<i64, Option<i64>> = nodes.iter().map(|n| (n.id, n.parent_id)).collect();
    let links: Vec<Link> = relations
        .iter()
        .map(|r| Link {
            from: top_of(r.from_id, &parents),
            to: top_of(r.to_id, &parents),
            kind: r.kind.clone(),
        })
        .collect();
    let description = kizuki_i18n::format(
        lang,
        "qda.diagram.description",
        &[
            ("groups", &blocks.len().to_string()),
            ("relations", &links.len().to_string()),
        ],
    );
    (
        diagram::svg(
            &blocks,
            &links,
            &diagram::Heading {
                title: project.name.clone(),
                date: crate::format::date(lang, today),
                kinds: diagram::KINDS.map(|kind| {
                    kizuki_i18n::text(lang, &format!("qda.relation_legend.{kind}")).to_owned()
                }),
            },
            &description,
        ),
        diagram::layout(&blocks),
    )
}

/// A member's project with what its diagram is made of.
struct Diagram {
    project: QdaProject,
    nodes: Vec<QdaNode>,
    relations: Vec<QdaRelation>,
    svg: String,
    layout: Vec<(i64, i64, i64)>,
}

async fn diagram(
    state: &AppState,
    id: &str,
    user: i64,
    lang: kizuki_i18n::Lang,
) -> Result<Diagram, AppError> {
    let project = project(state, id, user).await?;
    let nodes = state.store().qda_nodes(project.id).await?;
    let relations = state.store().qda_relations(project.id).await?;
    let today = crate::today(state.now());
    let (svg, layout) = diagram_svg(&project, &nodes, &relations, lang, today);
    Ok(Diagram {
        project,
        nodes,
        relations,
        svg,
        layout,
    })
}

/// A box of the diagram and where it is, for the form that moves it.
pub struct PlaceLine {
    pub id: i64,
    pub label: String,
    pub x: i64,
    pub y: i64,
}

pub struct RelationLine {
    pub id: i64,
    pub from: String,
    pub to: String,
    pub kind: String,
}

#[derive(Template)]
#[template(path = "research/diagram.html")]
pub struct DiagramView {
    pub page: Chrome,
    pub base: String,
    pub name: String,
    pub svg: String,
    pub relations: Vec<RelationLine>,
    pub groups: Vec<GroupOption>,
    pub places: Vec<PlaceLine>,
    /// Whether the server can draw the diagram as PNG (it has a Japanese font).
    pub png: bool,
}

pub async fn diagram_page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Diagram {
        project,
        nodes,
        relations,
        svg,
        layout,
    } = diagram(&state, &id, user.id, context.lang).await?;
    let label = |id: i64| {
        nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.label.clone())
            .unwrap_or_default()
    };
    Ok(views::render(&DiagramView {
        page: Chrome::new(&state, &context, "qda.diagram.title"),
        base: super::project_base(&context, project.id),
        name: project.name.clone(),
        svg,
        relations: relations
            .iter()
            .map(|r| RelationLine {
                id: r.id,
                from: label(r.from_id),
                to: label(r.to_id),
                kind: kizuki_i18n::text(context.lang, &format!("qda.relation.{}", r.kind))
                    .to_owned(),
            })
            .collect(),
        groups: group_options(&nodes),
        places: layout
            .into_iter()
            .map(|(id, x, y)| PlaceLine {
                id,
                label: label(id),
                x,
                y,
            })
            .collect(),
        png: tokio::task::spawn_blocking(crate::png::draws_japanese)
            .await
            .unwrap_or(false),
    }))
}

/// The diagram as an SVG file.
pub async fn diagram_file(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Diagram { project, svg, .. } = diagram(&state, &id, user.id, context.lang).await?;
    Ok(download::attachment(
        svg.into_response(),
        "image/svg+xml; charset=utf-8",
        &download::project_file_name(
            &project.name,
            project.id,
            Some("diagram"),
            crate::today(state.now()),
            "svg",
        ),
    ))
}

/// The diagram as a PNG picture, twice the SVG's size, drawn by the server.
pub async fn diagram_picture(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Diagram { project, svg, .. } = diagram(&state, &id, user.id, context.lang).await?;
    if !tokio::task::spawn_blocking(crate::png::draws_japanese)
        .await
        .unwrap_or(false)
    {
        return Err(AppError::Unavailable(
            "no Japanese font on the server to draw the diagram as PNG".into(),
        ));
    }
    let png = tokio::task::spawn_blocking(move || crate::png::from_svg(&svg))
        .await
        .map_err(|error| AppError::Internal(error.to_string()))?
        .map_err(|error| AppError::Internal(error.to_string()))?;
    Ok(download::attachment(
        png.into_response(),
        "image/png",
        &download::project_file_name(
            &project.name,
            project.id,
            Some("diagram"),
            crate::today(state.now()),
            "png",
        ),
    ))
}

/// One row of the printable table: the category cell (with how many rows it spans, on its
/// first row only), the subcategory cell likewise, and a quote.
pub struct ReportRow {
    pub category: Option<(String, usize)>,
    pub subcategory: Option<(String, usize)>,
    pub quote: String,
    pub who: String,
    pub card: String,
}

#[derive(Template)]
#[template(path = "research/report.html")]
pub struct ReportView {
    pub page: Chrome,
    pub base: String,
    pub name: String,
    pub rows: Vec<ReportRow>,
    pub writeup: String,
}

/// A row of the table with its category and joined subcategory.
type Keyed<'a> = (String, String, &'a Vec<String>);

/// The table's rows with their spans: CAT1 is the category, the levels below it joined with
/// "›" the subcategory.
fn report_rows(table: &[Vec<String>]) -> Vec<ReportRow> {
    let Some(header) = table.first() else {
        return Vec::new();
    };
    let depth = header.iter().filter(|h| h.starts_with("CAT")).count();
    let keyed: Vec<Keyed> = table[1..]
        .iter()
        .map(|row| {
            let category = row[0].clone();
            let sub = row[1..depth]
                .iter()
                .filter(|c| !c.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" › ");
            (category, sub, row)
        })
        .collect();
    let mut rows = Vec::with_capacity(keyed.len());
    for (i, (category, sub, row)) in keyed.iter().enumerate() {
        let first_of_category = i == 0 || keyed[i - 1].0 != *category;
        let first_of_sub = first_of_category || keyed[i - 1].1 != *sub;
        let span =
            |same: &dyn Fn(&Keyed) -> bool| keyed[i..].iter().take_while(|k| same(k)).count();
        let [_label, quote, source, speaker, _, _, card] = &row[depth..] else {
            continue;
        };
        rows.push(ReportRow {
            category: first_of_category.then(|| (category.clone(), span(&|k| k.0 == *category))),
            subcategory: first_of_sub
                .then(|| (sub.clone(), span(&|k| k.0 == *category && k.1 == *sub))),
            quote: quote.clone(),
            who: [speaker.as_str(), source.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            card: card.clone(),
        });
    }
    rows
}

pub async fn report_page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let table = crate::qda::table(state.store(), project.id).await?;
    state
        .store()
        .log_qda_access(project.id, user.id, "view_table", "report", state.now())
        .await?;
    Ok(views::render(&ReportView {
        page: Chrome::new(&state, &context, "qda.report.title"),
        base: super::project_base(&context, project.id),
        name: project.name.clone(),
        rows: report_rows(&table),
        writeup: state.store().qda_writeup(project.id).await?,
    }))
}

#[derive(Deserialize)]
pub struct WriteupForm {
    #[serde(default)]
    writeup: String,
}

pub async fn save_writeup(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<WriteupForm>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let path = format!("/research/projects/{}/report", project.id);
    if form.writeup.chars().count() > 200_000 {
        return Ok(redirect_with_flash(
            &context,
            &path,
            "flash.qda_writeup_long",
        ));
    }
    state
        .store()
        .set_qda_writeup(project.id, &text::normalize(&form.writeup))
        .await?;
    Ok(redirect_with_flash(
        &context,
        &path,
        "flash.qda_writeup_saved",
    ))
}

/// The card numbers a write-up refers to (`#12`), in order of first mention.
pub fn card_references(writeup: &str) -> Vec<i64> {
    let mut found: Vec<i64> = Vec::new();
    let chars: Vec<char> = writeup.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '#' && (i == 0 || !chars[i - 1].is_alphanumeric()) {
            let digits: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if let Ok(number) = digits.parse::<i64>()
                && !found.contains(&number)
            {
                found.push(number);
            }
            i += digits.len().max(1);
        } else {
            i += 1;
        }
    }
    found
}

/// The B型 write-up as Markdown, with an appendix quoting every card it refers to (from the
/// report table, which knows each card's speaker and source).
pub async fn writeup_file(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (project, table) = logged_table(&state, &id, user.id, "writeup.md").await?;
    let writeup = state.store().qda_writeup(project.id).await?;
    let mut out = format!("# {}\n\n{}\n", project.name, writeup.trim_end());
    let depth = table.first().map_or(0, |header| {
        header.iter().filter(|h| h.starts_with("CAT")).count()
    });
    let cited: Vec<&[String]> = card_references(&writeup)
        .into_iter()
        .filter_map(|card| {
            table[1..]
                .iter()
                .map(|row| &row[depth..])
                .find(|row| row.get(6).is_some_and(|id| *id == card.to_string()))
        })
        .collect();
    if !cited.is_empty() {
        out.push_str(&format!(
            "\n## {}\n\n",
            kizuki_i18n::text(context.lang, "qda.report.cards")
        ));
        for row in cited {
            let [_, quote, source, speaker, _, _, card] = row else {
                continue;
            };
            let who: Vec<&str> = [speaker.as_str(), source.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            out.push_str(&format!(
                "- #{card}: 「{}」（{}）\n",
                quote.replace('\n', " "),
                who.join(", ")
            ));
        }
    }
    Ok(download::attachment(
        out.into_response(),
        "text/markdown; charset=utf-8",
        &download::project_file_name(
            &project.name,
            project.id,
            Some("writeup"),
            crate::today(state.now()),
            "md",
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found_once_each() {
        assert_eq!(
            card_references("#12 と #3、また#12。C#4 は違う"),
            vec![12, 3]
        );
        assert_eq!(card_references("# 見出し\n#"), Vec::<i64>::new());
    }

    #[test]
    fn spans_cover_their_rows() {
        let header = [
            "CAT1", "CAT2", "label", "quote", "source", "speaker", "start", "end", "card",
        ]
        .map(str::to_owned)
        .to_vec();
        let row = |a: &str, b: &str, q: &str| {
            [a, b, "", q, "A市", "P1", "0", "1", "1"]
                .map(str::to_owned)
                .to_vec()
        };
        let table = vec![
            header,
            row("気付き", "自分", "一"),
            row("気付き", "自分", "二"),
            row("気付き", "他者", "三"),
            row("関係", "", "四"),
        ];
        let rows = report_rows(&table);
        assert_eq!(rows[0].category, Some(("気付き".to_owned(), 3)));
        assert_eq!(rows[0].subcategory, Some(("自分".to_owned(), 2)));
        assert_eq!(rows[1].category, None);
        assert_eq!(rows[1].subcategory, None);
        assert_eq!(rows[2].subcategory, Some(("他者".to_owned(), 1)));
        assert_eq!(rows[3].category, Some(("関係".to_owned(), 1)));
    }
}
