//! A demo KJ project: the report's group interview quotes typed as one transcript, a card for
//! each, gathered into the categories and subcategories of the report's Tables 1 and 2, with a
//! relation on the A型 diagram and the start of a B型 write-up.

use anyhow::Result;
use kizuki_domain::Timestamp;
use kizuki_domain::qda;
use kizuki_store::{CardInput, Store, TranscriptInput};

/// A subcategory and its quotes.
type Subcategory = (&'static str, &'static [&'static str]);

/// (category, [(subcategory, [quotes])]) as the report's tables give them.
const TABLES: [(&str, &[Subcategory]); 3] = [
    (
        "自分への気付き、他者への気付き",
        &[
            (
                "自分の物の見方に対する気付き",
                &[
                    "自分はすごく先入観とか思い込みがすごくあるんだなっていうことに、すごく気づくようになって",
                ],
            ),
            (
                "他者の物の見方やその背景に対する気付き",
                &[
                    "前より、何か、（相手や社会の）背景とか仕組みとか価値観とか、そういうものに目がいくようになったような気がする",
                ],
            ),
            (
                "自分の思い込みに他者をあてはめない",
                &[
                    "別に相手は（まだ）何もしていない状態なのに、勝手に頭で（相手の）反応パターンを考えて、行動パターンまで考えて（中略）見てしまっていた。",
                ],
            ),
            (
                "自分のパターンに対する気付きと対応の変化",
                &[
                    "最近、IPS とかいろいろと参加させてもらって、やっぱり自分の反応パターンを変えることによって相手の結果のパターンも変わってくるということがわかってきて",
                ],
            ),
        ],
    ),
    (
        "関係への着目と変化",
        &[
            (
                "関係に着目するようになるという変化",
                &[
                    "相手との関係を考えればいいというふうに考えられると、自分を責めるのではなくて、その関係がどうなっているかっていうことを見られるので、自分を対象じゃない。いいも悪いもですね。それがすごい発見だったなあというふうに思う。",
                ],
            ),
            (
                "自分が変わることによる関係の変化",
                &[
                    "IPS（研修）を受けたことによって、（中略）自分の気持ちをきちっと伝えたら、（中略）、今はものすごくいい感じになれているので、（中略）会話の仕方だとか、自分の気持ちを伝えたりとかしていると、こんなにも変わるという経験をしました。",
                ],
            ),
            (
                "関係は変えていける",
                &[
                    "いやあ、関係性って変わるんだなってすごく思った。だから、今はその、ほかの人に対しても、相互性をつくりたいので、変えていきたいなと思っているというところがあります。",
                ],
            ),
        ],
    ),
    (
        "自身が陥っていた関係、これまで自身が取っていた姿勢への気付きと変化",
        &[
            (
                "一方的な関係のある場で起きていること",
                &[
                    "（利用者の思いを聞くという）選択肢はなかったなあと思って。ないんですよ。支援と支援される側というような構造になっちゃうと。",
                ],
            ),
            (
                "問題解決から離れる",
                &[
                    "なんとかしないといけないっていう思いがすごい自分は強かったんだなっていうことを、何か、IPS（を）学んできて気付いた気が。",
                    "（相手の問題を）解決することによって、相手がいうことをきくと自分が満足するっていうことを（IPS で）すごい言われて、それは誰のためかっていったら結局自分のためだけだっていうことをまた思い出して。",
                ],
            ),
        ],
    ),
];

pub async fn fill(store: &Store, researcher: i64, now: Timestamp) -> Result<()> {
    let project = store
        .create_qda_project("IPS研修の評価（グループインタビュー）", researcher, now)
        .await?;
    let mut body = "【司会】今日はお集まりいただきありがとうございます。IPS を学んで変わったことを聞かせてください。\n".to_owned();
    let speakers = ["P01", "P02", "P03", "P04", "P05"];
    let mut quotes = Vec::new();
    for (_, subcategories) in TABLES {
        for (_, said) in subcategories {
            for quote in *said {
                let speaker = speakers[quotes.len() % speakers.len()];
                body.push_str(&format!(
                    "{speaker}：{quote}\n【司会】ありがとうございます。\n"
                ));
                quotes.push(*quote);
            }
        }
    }
    let transcript = TranscriptInput {
        name: "A市 グループインタビュー 1".to_owned(),
        kind: "group".to_owned(),
        session_date: Some("2013-09-14".to_owned()),
        place: "A市".to_owned(),
        participants: Some(15),
        body: qda::transcript::normalize(&body),
    };
    let transcript_id = store.create_transcript(project, &transcript, now).await?;
    let mut tops = Vec::new();
    let mut all_cards = Vec::new();
    for (category, subcategories) in TABLES {
        let mut subgroups = Vec::new();
        for (subcategory, said) in subcategories {
            let mut cards = Vec::new();
            for quote in *said {
                let byte = transcript.body.find(quote).unwrap_or(0);
                let start = transcript.body[..byte].chars().count();
                let card = CardInput {
                    transcript_id,
                    start: start as i64,
                    end: (start + quote.chars().count()) as i64,
                    quote,
                    label: "",
                };
                let id = store.create_card(project, &card, researcher, now).await?;
                cards.push(id);
                all_cards.push(id);
            }
            subgroups.push(
                store
                    .create_group(project, subcategory, None, &cards, researcher, now)
                    .await?,
            );
        }
        tops.push(
            store
                .create_group(project, category, None, &subgroups, researcher, now)
                .await?,
        );
    }
    if let [first, second, third] = tops[..] {
        store
            .add_qda_relation(project, first, second, "cause")
            .await?;
        store
            .add_qda_relation(project, third, second, "mutual")
            .await?;
    }
    if let [_, second, third, _, fifth, ..] = all_cards[..] {
        let writeup = format!(
            "IPS を学んだことで、参加者は自分の物の見方や他者の背景に気付くようになった（#{second}, #{third}）。\nその気付きは、関係への着目と関係の変化につながっていた（#{fifth}）。"
        );
        store.set_qda_writeup(project, &writeup).await?;
    }
    Ok(())
}
