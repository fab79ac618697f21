//! WebVTT captions (what video-call tools save) read as a transcript: cue timings, numbers and
//! notes dropped, `<v Speaker>` voices written as "Speaker: …", consecutive cues of one speaker
//! joined.

/// A line that is not WebVTT, with its number (from 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotWebVtt {
    pub line: usize,
}

pub fn to_text(raw: &str) -> Result<String, NotWebVtt> {
    let text = super::transcript::normalize(raw);
    let mut lines = text.split('\n').enumerate();
    match lines.next() {
        Some((_, first)) if first.starts_with("WEBVTT") => {}
        _ => return Err(NotWebVtt { line: 1 }),
    }
    let mut out: Vec<(Option<String>, String)> = Vec::new();
    let mut in_cue = false;
    let mut skipping = false;
    for (index, line) in lines {
        let line = line.trim();
        if line.is_empty() {
            in_cue = false;
            skipping = false;
            continue;
        }
        if skipping {
            continue;
        }
        if line.contains("-->") {
            let valid = line.split("-->").count() == 2
                && line
                    .split("-->")
                    .all(|t| t.trim().split(' ').next().is_some_and(|t| t.contains(':')));
            if !valid {
                return Err(NotWebVtt { line: index + 1 });
            }
            in_cue = true;
            continue;
        }
        if !in_cue {
            // A cue's number, or a NOTE / STYLE / REGION block.
            if ["NOTE", "STYLE", "REGION"]
                .iter()
                .any(|w| line.starts_with(w))
            {
                skipping = true;
            }
            continue;
        }
        let (speaker, words) = match line.strip_prefix("<v") {
            Some(rest) => match rest.find('>') {
                Some(close) => (Some(voice(&rest[..close])), strip_tags(&rest[close + 1..])),
                None => return Err(NotWebVtt { line: index + 1 }),
            },
            None => (None, strip_tags(line)),
        };
        match out.last_mut() {
            Some((last, text)) if *last == speaker || speaker.is_none() => {
                text.push(' ');
                text.push_str(&words);
            }
            _ => out.push((speaker, words)),
        }
    }
    Ok(out
        .into_iter()
        .map(|(speaker, words)| match speaker {
            Some(name) if !name.is_empty() => format!("{name}: {}", words.trim()),
            _ => words.trim().to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The speaker of a `<v…>` tag's inside: classes (`.loud`) come first, then a space, then the
/// name, which may itself hold spaces.
fn voice(inside: &str) -> String {
    let name = match inside.strip_prefix('.') {
        Some(classes) => classes.split_once(' ').map_or("", |(_, name)| name),
        None => inside,
    };
    name.trim().to_owned()
}

fn strip_tags(line: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in line.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_voices_and_joins_a_speakers_cues() {
        let raw = "WEBVTT\n\nNOTE recorded online\nsecond line\n\n1\n00:00:01.000 --> 00:00:04.000\n<v 司会>今日は<b>よろしく</b>\n\n2\n00:00:04.000 --> 00:00:06.000\n<v 司会>お願いします。\n\n00:00:06.500 --> 00:00:09.000\n<v P01>はい。</v>\n";
        assert_eq!(
            to_text(raw).unwrap(),
            "司会: 今日はよろしく お願いします。\nP01: はい。"
        );
    }

    #[test]
    fn names_with_spaces_and_classes() {
        let raw = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v.loud Mary Smith>Hello\n\n00:00:02.000 --> 00:00:03.000\n<v Ken Sato>Hi";
        assert_eq!(to_text(raw).unwrap(), "Mary Smith: Hello\nKen Sato: Hi");
    }

    #[test]
    fn refuses_what_is_not_webvtt_with_the_line() {
        assert_eq!(to_text("hello"), Err(NotWebVtt { line: 1 }));
        assert_eq!(
            to_text("WEBVTT\n\n00:01 --> nonsense\nx"),
            Err(NotWebVtt { line: 3 })
        );
    }

    proptest! {
        #[test]
        fn never_panics(raw in "(WEBVTT\\n)?(\\PC{0,20}\\n){0,10}") {
            let _ = to_text(&raw);
        }
    }
}
