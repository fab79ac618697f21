//! Demo questionnaires: the programme's own two questions as a template, and one closed
//! questionnaire with 13 answers shaped like the report's (11 want to come again, 1 does not
//! know, 1 wants to rest first), coded by the demo researcher. The answers are written for the
//! demo; they are not the programme's.

use std::collections::BTreeMap;

use anyhow::{Result, anyhow};
use kizuki_domain::Timestamp;
use kizuki_domain::questionnaire::{Answer, NewQuestion, QuestionKind, code};
use kizuki_i18n::Lang;
use kizuki_store::{CategoryInput, HeldAnswer, QuestionnaireInput, Store};

const AGAIN: [(&str, usize); 13] = [
    (
        "また参加したいです。関係の見方が変わり、職場でも試してみたくなりました。",
        0,
    ),
    (
        "ぜひまた参加したい。ほかの参加者と話す時間がもっとほしかったです。",
        0,
    ),
    ("参加したいです。何度でも学び直したいと思いました。", 0),
    (
        "はい。今回わからなかったところを、次はもう少し深めたいです。",
        0,
    ),
    ("また来たいです。安心して話せる場でした。", 0),
    ("参加したい。同じ職場の人も誘いたいです。", 0),
    ("はい、続けて学びたいです。", 0),
    ("参加したいです。自分のことばで話せたのが初めてでした。", 0),
    ("また参加したい。勉強会にも顔を出してみます。", 0),
    (
        "ぜひ。ファシリテーターの方の関わり方をもっと見たいです。",
        0,
    ),
    ("参加したいです。次は家族と一緒に来たいです。", 0),
    ("まだよくわかりません。", 1),
    (
        "いまは自分を休ませたいので、まだ参加したいとは思えません。",
        2,
    ),
];

const HOW_WAS_IT: [&str; 13] = [
    "正直に気持ちを言ってもいいのだと感じました。",
    "立場の違う人と同じ輪で学べたのがよかったです。",
    "三日間は長いと思っていましたが、あっという間でした。",
    "ロールプレイは緊張しましたが、学びが多かったです。",
    "支援する側・される側という見方を考え直しました。",
    "休憩の部屋があって助かりました。",
    "ことばの選び方を意識するようになりました。",
    "自分の経験を話すのは怖かったけれど、受け止めてもらえました。",
    "地元に勉強会があると知りました。",
    "資料が読みやすかったです。",
    "家族の立場で参加しましたが、居場所がありました。",
    "疲れましたが、大切な時間でした。",
    "少し疲れてしまいました。",
];

/// Adds the template and the coded questionnaire; answers how many questionnaires were made.
pub async fn fill(
    store: &Store,
    training_id: Option<i64>,
    researcher: i64,
    now: Timestamp,
) -> Result<usize> {
    let question = |key: &str| NewQuestion {
        kind: QuestionKind::FreeText,
        prompt: kizuki_i18n::text(Lang::Ja, key).to_owned(),
        prompt_en: kizuki_i18n::text(Lang::En, key).to_owned(),
        options: Vec::new(),
        scale: 0,
    };
    let questions = [
        question("questionnaire.standard.how_was_it"),
        question("questionnaire.standard.again"),
    ];
    let template = store
        .create_questionnaire(
            None,
            &QuestionnaireInput {
                title: "研修会のふりかえり（無記名）".to_owned(),
                title_en: "After the training (anonymous)".to_owned(),
                intro: "研修会にご参加いただき、ありがとうございました。今後の研修会をよりよくするため、感じたことを自由にお書きください。".to_owned(),
                intro_en: "Thank you for taking part. To help us improve future trainings, please write freely about how it was for you.".to_owned(),
                opens_at: None,
                closes_at: None,
            },
            &questions,
            now,
        )
        .await?;
    let Some(training_id) = training_id else {
        return Ok(1);
    };
    let id = store
        .questionnaire_from_template(template, training_id, now)
        .await?;
    let mut input = QuestionnaireInput {
        opens_at: Some(now.minus_seconds(30 * 24 * 60 * 60)),
        ..QuestionnaireInput::default()
    };
    let questionnaire = store.questionnaire(id).await?;
    input.title = questionnaire.title.clone();
    input.title_en = questionnaire.title_en.clone();
    input.intro = questionnaire.intro.clone();
    input.intro_en = questionnaire.intro_en.clone();
    store.update_questionnaire(id, &input).await?;
    let [how, again] = [questionnaire.questions[0].id, questionnaire.questions[1].id];
    let mut rng = rand::rng();
    let codes: Vec<String> = (0..AGAIN.len()).map(|_| code::generate(&mut rng)).collect();
    let digests: Vec<String> = codes.iter().map(|c| code::digest(c)).collect();
    store.issue_codes(id, &digests).await?;
    let mut keys = Vec::new();
    let mut batch = Vec::new();
    for ((digest, (text, _)), how_text) in digests.iter().zip(AGAIN).zip(HOW_WAS_IT) {
        let key = format!("{:032x}", rand::Rng::random::<u128>(&mut rng));
        let answers = BTreeMap::from([
            (how, Answer::Text(how_text.to_owned())),
            (again, Answer::Text(text.to_owned())),
        ]);
        store.hold_code(digest, id, "demo", now).await?;
        batch.push(HeldAnswer::new(digest.clone(), key.clone(), &answers)?);
        keys.push(key);
    }
    // The demo's answers, all at once: one mixed batch.
    store.write_mixed(id, &batch).await?;
    store.close_questionnaire(id, now).await?;
    let category = |label: &str, definition: &str| CategoryInput {
        id: None,
        label: label.to_owned(),
        definition: definition.to_owned(),
    };
    store
        .save_categories(
            id,
            again,
            &[
                category("したい", "また参加したいという回答"),
                category("わからない", "参加したいかどうか決めかねている回答"),
                category(
                    "今はまだしたいと思えない",
                    "休息など、いまは参加を望まない理由を挙げる回答",
                ),
            ],
        )
        .await?;
    let categories = store.categories(id).await?;
    for (key, (_, which)) in keys.iter().zip(AGAIN) {
        let category = categories
            .iter()
            .filter(|c| c.question_id == again)
            .nth(which)
            .ok_or_else(|| anyhow!("demo category {which}"))?;
        store
            .code_answer(id, key, again, researcher, &[category.id])
            .await?;
    }
    store.set_lead_coder(id, researcher).await?;
    Ok(2)
}
