//! Descriptions are written in Markdown by organisers and hosts; they are rendered to HTML and
//! then cleaned with ammonia, so no script, style, frame or event handler can come through.

use pulldown_cmark::{Options, Parser, html};

pub fn to_safe_html(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES,
    );
    let mut unsafe_html = String::new();
    html::push_html(&mut unsafe_html, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(&unsafe_html)
        .to_string()
}

/// Plain text of a description, for summaries, meta descriptions and feeds.
pub fn to_plain_text(markdown: &str, max_chars: usize) -> String {
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            pulldown_cmark::Event::Text(part) | pulldown_cmark::Event::Code(part) => {
                text.push_str(&part)
            }
            pulldown_cmark::Event::SoftBreak
            | pulldown_cmark::Event::HardBreak
            | pulldown_cmark::Event::End(
                pulldown_cmark::TagEnd::Paragraph
                | pulldown_cmark::TagEnd::Heading(_)
                | pulldown_cmark::TagEnd::Item,
            ) => text.push(' '),
            _ => {}
        }
    }
    let trimmed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if trimmed.chars().count() > max_chars {
        let mut cut: String = trimmed.chars().take(max_chars).collect();
        cut.push('…');
        cut
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html() {
        let html = to_safe_html("**大切**なこと\n\n- 一つ\n- 二つ");
        assert!(html.contains("<strong>大切</strong>"));
        assert!(html.contains("<li>一つ</li>"));
    }

    #[test]
    fn scripts_and_handlers_never_survive() {
        for attack in [
            "<script>alert(1)</script>",
            "\"><img src=x onerror=alert(1)>",
            "[link](javascript:alert(1))",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<a href=\"#\" onclick=\"alert(1)\">x</a>",
            "<style>body{display:none}</style>",
        ] {
            let html = to_safe_html(attack);
            let lower = html.to_lowercase();
            assert!(
                !lower.contains("<script")
                    && !lower.contains("onerror")
                    && !lower.contains("javascript:")
                    && !lower.contains("<iframe")
                    && !lower.contains("onclick")
                    && !lower.contains("<style"),
                "{attack} → {html}"
            );
        }
    }

    #[test]
    fn plain_text_is_short_and_clean() {
        assert_eq!(
            to_plain_text("# 題\n\n**太字**と<b>タグ</b>", 100),
            "題 太字とタグ"
        );
        assert_eq!(to_plain_text("あいうえおかきくけこ", 5), "あいうえお…");
    }
}
