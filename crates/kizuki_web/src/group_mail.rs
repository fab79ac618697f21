//! Mail between a study group's hosts and the people who write to them. Both sides write
//! through the site, so neither learns the other's address: hosts are told a message has come
//! (with its text), and a host's answer goes to the sender's address from the site's.

use kizuki_i18n::Lang;
use kizuki_store::{
    GROUP_MESSAGE_MAIL, GROUP_REPLY_MAIL, GroupMessage, OutgoingMail, StoreError, StudyGroup,
};

use crate::format::Localized;
use crate::pages::catalogue::contact::KEEP_DAYS;
use crate::state::AppState;

/// Each line of a text, marked as quoted the way mail readers show it.
fn quoted(text: &str) -> String {
    text.lines()
        .map(|line| format!("> {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The subject and body of the mail telling a host a message has come.
pub fn arrival(
    lang: Lang,
    group: &StudyGroup,
    sender_name: &str,
    body: &str,
    public_url: &str,
) -> (String, String) {
    let name = Localized::pick(lang, &group.name, &group.name_en).text;
    let link = format!(
        "{public_url}{}/manage/study-groups/{}/messages",
        lang.path_prefix(),
        group.id
    );
    let days = KEEP_DAYS.to_string();
    let arguments = [
        ("group", name.as_str()),
        ("sender", sender_name),
        ("body", body),
        ("link", link.as_str()),
        ("days", days.as_str()),
    ];
    (
        kizuki_i18n::format(lang, "group_mail.arrival_subject", &arguments),
        kizuki_i18n::format(lang, "group_mail.arrival_body", &arguments),
    )
}

/// The subject and body of a host's answer, in the sender's language.
pub fn answer(
    group: &StudyGroup,
    message: &GroupMessage,
    reply: &str,
    public_url: &str,
) -> (String, String) {
    let lang = Lang::from_tag(&message.lang).unwrap_or(Lang::Ja);
    let name = Localized::pick(lang, &group.name, &group.name_en).text;
    let link = format!(
        "{public_url}{}/study-groups/{}/contact",
        lang.path_prefix(),
        group.id
    );
    let original = quoted(&message.body);
    let arguments = [
        ("group", name.as_str()),
        ("sender", message.sender_name.as_str()),
        ("reply", reply),
        ("original", original.as_str()),
        ("link", link.as_str()),
    ];
    (
        kizuki_i18n::format(lang, "group_mail.answer_subject", &arguments),
        kizuki_i18n::format(lang, "group_mail.answer_body", &arguments),
    )
}

/// Tells the group's hosts a message has come; a group without host accounts tells the
/// organisers, so that no message waits unseen. Returns how many were told.
pub async fn tell_hosts(
    state: &AppState,
    group: &StudyGroup,
    sender_name: &str,
    body: &str,
) -> Result<usize, StoreError> {
    // The hosts are read one by one (a group has a few); everyone is read only for a group
    // without host accounts, to find its organisers.
    let mut readers = Vec::new();
    for id in &group.host_user_ids {
        let user = state.store().user(*id).await?;
        if user.is_active() {
            readers.push(user);
        }
    }
    if readers.is_empty() {
        readers = state
            .store()
            .list_users()
            .await?
            .into_iter()
            .filter(|user| {
                user.is_active()
                    && kizuki_domain::Permission::ManageEvents.check(Some(user.role))
                        == kizuki_domain::Access::Granted
            })
            .collect();
    }
    for user in &readers {
        let lang = Lang::from_tag(&user.preferred_lang).unwrap_or(Lang::Ja);
        let (subject, text) = arrival(lang, group, sender_name, body, state.public_url());
        enqueue(
            state,
            &user.email,
            lang,
            GROUP_MESSAGE_MAIL,
            &subject,
            &text,
        )
        .await?;
    }
    Ok(readers.len())
}

/// Writes one of these messages to the outbox; it belongs to no training or application.
async fn enqueue(
    state: &AppState,
    recipient: &str,
    lang: Lang,
    kind: &str,
    subject: &str,
    body: &str,
) -> Result<(), StoreError> {
    state
        .store()
        .enqueue_mail(
            &OutgoingMail {
                training_id: None,
                application_id: None,
                recipient,
                lang: lang.tag(),
                kind,
                subject,
                body,
            },
            state.now(),
        )
        .await?;
    Ok(())
}

/// Mails a host's answer to the sender.
pub async fn send_answer(
    state: &AppState,
    group: &StudyGroup,
    message: &GroupMessage,
    reply: &str,
) -> Result<(), StoreError> {
    let (subject, body) = answer(group, message, reply, state.public_url());
    let lang = Lang::from_tag(&message.lang).unwrap_or(Lang::Ja);
    enqueue(
        state,
        &message.sender_email,
        lang,
        GROUP_REPLY_MAIL,
        &subject,
        &body,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_quotes_the_message_line_by_line() {
        assert_eq!(
            quoted("はじめまして。\n見学できますか。"),
            "> はじめまして。\n> 見学できますか。"
        );
    }
}
