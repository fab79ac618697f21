//! A project's pages as parts: the same tabs on each with the page's own marked, the
//! exports and the file import on one page, members and the pseudonym key on another, and who
//! may do what there.

use kizuki_domain::Role;

use crate::support::{TestApp, Visitor, location, text};
use kizuki_i18n::Lang;

/// The part `html` marks as the current one, by its tab's address.
fn current_part(html: &str) -> String {
    let nav = &html[html.find("class=\"project-parts").expect("the parts' tabs")..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    let current: Vec<&str> = nav
        .split("<li>")
        .filter(|item| item.contains("aria-current=\"page\""))
        .collect();
    assert_eq!(current.len(), 1, "one tab is current: {nav}");
    let href = current[0].split("href=\"").nth(1).unwrap();
    href[..href.find('"').unwrap()].to_owned()
}

/// A new project made with the projects page's form; its address.
async fn project_by_page(visitor: &Visitor, name: &str) -> String {
    let response = visitor
        .submit(
            "/research/projects",
            "/research/projects",
            &[("name", name)],
        )
        .await;
    location(&response)
}

#[tokio::test]
async fn every_part_of_a_project_has_its_tab_and_each_page_says_which_it_is() {
    let app = TestApp::builder()
        .user("keeper@example.jp", Role::Researcher)
        .build()
        .await;
    let keeper = app.signed_in("keeper@example.jp").await;
    let project = project_by_page(&keeper, "A市グループインタビュー").await;
    for (part, tab) in [
        ("", project.clone()),
        ("/board", format!("{project}/board")),
        ("/diagram", format!("{project}/diagram")),
        ("/report", format!("{project}/report")),
        ("/search", format!("{project}/search")),
        ("/agreement", format!("{project}/agreement")),
        ("/sorting", format!("{project}/agreement")),
        ("/exchange", format!("{project}/exchange")),
        ("/members", format!("{project}/members")),
    ] {
        let page = keeper.get(&format!("{project}{part}")).await;
        assert_eq!(page.status(), 200, "{part}");
        assert_eq!(current_part(&page.text().await.unwrap()), tab, "{part}");
        let english = keeper.get_text(&format!("/en{project}{part}")).await;
        assert_eq!(current_part(&english), format!("/en{tab}"), "/en{part}");
    }

    // The first page: what the board holds, the transcripts, and the way to a file's import.
    let first = keeper.get_text(&project).await;
    assert!(
        first.contains("逐語録 0 件 · カード 0 枚 · グループ 0 · 一匹狼 0 枚"),
        "{first}"
    );
    assert!(first.contains(&format!("href=\"{project}/exchange#import-title\"")));
    assert!(
        !first.contains("id=\"tree\""),
        "the old column of boxes is gone"
    );

    // Every export in one place, each a link that downloads.
    let exchange = keeper.get_text(&format!("{project}/exchange")).await;
    for file in [
        "export.qdpx",
        "codebook.qdc",
        "table.csv",
        "table.xlsx",
        "table.md",
        "writeup.md",
        "diagram.svg",
    ] {
        assert!(
            exchange.contains(&format!("href=\"{project}/{file}\" download>")),
            "{file}"
        );
        assert_eq!(
            keeper.get(&format!("{project}/{file}")).await.status(),
            200,
            "{file}"
        );
    }
    assert!(exchange.contains(&format!("action=\"{project}/import\"")));
}

#[tokio::test]
async fn members_are_added_by_address_and_only_keepers_see_or_hand_on_the_key() {
    let app = TestApp::builder()
        .user("keeper@example.jp", Role::Researcher)
        .user("colleague@example.jp", Role::Researcher)
        .user("second@example.jp", Role::Researcher)
        .build()
        .await;
    let keeper = app.signed_in("keeper@example.jp").await;
    let project = project_by_page(&keeper, "鍵のあるプロジェクト").await;
    let members = format!("{project}/members");

    // An address nobody has is refused, with the page and its message.
    let response = keeper
        .submit(&members, &members, &[("email", "nobody@example.jp")])
        .await;
    assert_eq!(location(&response), members);
    let page = keeper.get_text(&members).await;
    assert!(page.contains(&text(Lang::Ja, "flash.qda_no_researcher")));

    let response = keeper
        .submit(
            &members,
            &members,
            &[("email", "colleague@example.jp"), ("role", "member")],
        )
        .await;
    assert_eq!(location(&response), members);
    let page = keeper.get_text(&members).await;
    assert!(page.contains(&text(Lang::Ja, "flash.qda_member_added")));
    assert!(page.contains("colleague@example.jp"), "{page}");

    // The key is saved and read back on the same page; its change is in the log below it.
    let response = keeper
        .submit(
            &members,
            &format!("{project}/pseudonyms"),
            &[("key", "田中さん | P03")],
        )
        .await;
    assert_eq!(location(&response), members);
    let page = keeper.get_text(&members).await;
    assert!(page.contains("田中さん | P03</textarea>"));
    assert!(
        page.contains(&text(Lang::Ja, "qda.log.change_key")),
        "{page}"
    );
    let english = keeper.get_text(&format!("/en{members}")).await;
    assert!(english.contains(&text(Lang::En, "qda.log.change_key")));

    // Adding oneself again never takes the key away.
    let response = keeper
        .submit(&members, &members, &[("email", "keeper@example.jp")])
        .await;
    assert_eq!(location(&response), members);
    let page = keeper.get_text(&members).await;
    assert!(page.contains(&text(Lang::Ja, "flash.qda_already_member")));
    assert!(page.contains("id=\"key\""), "still a key keeper");

    // A member sees the members, not the key nor the log, and may not make a keeper.
    let colleague = app.signed_in("colleague@example.jp").await;
    let page = colleague.get_text(&members).await;
    assert!(page.contains(&text(Lang::Ja, "qda.key.keepers_only")));
    assert!(
        !page.contains("田中さん"),
        "the real name stays with the keepers"
    );
    assert!(!page.contains("id=\"access-log\""));
    assert!(!page.contains("name=\"role\""));
    let response = colleague
        .submit(
            &members,
            &members,
            &[("email", "second@example.jp"), ("role", "key_keeper")],
        )
        .await;
    assert_eq!(response.status(), 403);
    let exchange = colleague.get_text(&format!("{project}/exchange")).await;
    assert!(!exchange.contains("id=\"import-file\""));
    assert!(exchange.contains(&text(Lang::Ja, "qda.project.import_keepers_only")));
    // A member re-adding the keeper as a plain member changes nothing.
    colleague
        .submit(&members, &members, &[("email", "keeper@example.jp")])
        .await;
    assert!(keeper.get_text(&members).await.contains("id=\"key\""));

    // The keeper hands the key on; the new keeper sees it.
    let response = keeper
        .submit(
            &members,
            &members,
            &[("email", "second@example.jp"), ("role", "key_keeper")],
        )
        .await;
    assert_eq!(location(&response), members);
    assert!(
        keeper
            .get_text(&members)
            .await
            .contains(&text(Lang::Ja, "flash.qda_keeper_added"))
    );
    let second = app.signed_in("second@example.jp").await;
    assert!(
        second
            .get_text(&members)
            .await
            .contains("田中さん | P03</textarea>")
    );
}

/// The id the members page's "remove" form sends for the member with `email`.
fn member_id(page: &str, email: &str) -> String {
    let item = page
        .split("<li>")
        .find(|item| item.contains(email))
        .unwrap_or_else(|| panic!("{email} is not listed"));
    let value = item
        .split("name=\"user\" value=\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no remove form for {email}"));
    value[..value.find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn a_keeper_removes_members_after_asking_anyone_may_leave_and_the_last_keeper_stays() {
    let app = TestApp::builder()
        .user("keeper@example.jp", Role::Researcher)
        .user("colleague@example.jp", Role::Researcher)
        .user("second@example.jp", Role::Researcher)
        .build()
        .await;
    let keeper = app.signed_in("keeper@example.jp").await;
    let project = project_by_page(&keeper, "出入りのあるプロジェクト").await;
    let members = format!("{project}/members");
    let remove = format!("{members}/remove");
    for email in ["colleague@example.jp", "second@example.jp"] {
        keeper.submit(&members, &members, &[("email", email)]).await;
    }
    let page = keeper.get_text(&members).await;
    let colleague_id = member_id(&page, "colleague@example.jp");
    // The only keeper is offered no way out; their id is posted as a crafted form would.
    assert!(!page.contains(&text(Lang::Ja, "qda.members.leave")));
    let email = kizuki_domain::EmailAddress::parse("keeper@example.jp").unwrap();
    let keeper_id = app
        .store
        .user_by_email(&email)
        .await
        .unwrap()
        .id
        .to_string();

    // The first press asks, naming who and what follows; nothing changes yet.
    let asked = keeper
        .submit(&members, &remove, &[("user", &colleague_id)])
        .await;
    assert_eq!(asked.status(), 200);
    let asked = asked.text().await.unwrap();
    assert!(asked.contains(&text(Lang::Ja, "qda.members.remove_title")));
    assert!(asked.contains("colleague@example.jp"), "{asked}");
    assert!(
        keeper
            .get_text(&members)
            .await
            .contains("colleague@example.jp")
    );

    // A member may not take out others, only themselves.
    let second = app.signed_in("second@example.jp").await;
    let page = second.get_text(&members).await;
    assert!(!page.contains(&format!("name=\"user\" value=\"{colleague_id}\"")));
    let refused = second
        .submit(
            &members,
            &remove,
            &[("user", &colleague_id), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(refused.status(), 403);

    // Confirmed, the keeper takes the colleague out: the project is gone for them, and the log
    // says who did it to whom.
    let response = keeper
        .submit(
            &members,
            &remove,
            &[("user", &colleague_id), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(location(&response), members);
    let page = keeper.get_text(&members).await;
    assert!(page.contains(&text(Lang::Ja, "flash.qda_member_removed")));
    assert!(!page.contains("<span class=\"member-email\">colleague@example.jp"));
    assert!(page.contains(&text(Lang::Ja, "qda.log.member_removed")));
    assert!(page.contains(&text(Lang::Ja, "qda.log.member_added")));
    let colleague = app.signed_in("colleague@example.jp").await;
    assert_eq!(colleague.get(&project).await.status(), 404);

    // The only key keeper cannot leave, and is told what to do first.
    let response = keeper
        .submit(
            &members,
            &remove,
            &[("user", &keeper_id), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(location(&response), members);
    assert!(
        keeper
            .get_text(&members)
            .await
            .contains(&text(Lang::Ja, "flash.qda_last_keeper"))
    );
    assert_eq!(keeper.get(&project).await.status(), 200);

    // With a second keeper, the first may leave; they land on their list of projects.
    keeper
        .submit(
            &members,
            &members,
            &[("email", "second@example.jp"), ("role", "key_keeper")],
        )
        .await;
    let asked = keeper
        .submit(&members, &remove, &[("user", &keeper_id)])
        .await
        .text()
        .await
        .unwrap();
    assert!(asked.contains(&text(Lang::Ja, "qda.members.leave_title")));
    let response = keeper
        .submit(
            &members,
            &remove,
            &[("user", &keeper_id), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(location(&response), "/research/projects");
    assert!(
        keeper
            .get_text("/research/projects")
            .await
            .contains(&text(Lang::Ja, "flash.qda_left"))
    );
    assert_eq!(keeper.get(&project).await.status(), 404);
    // Someone not in the project is "not found", as anything of a project one is not in.
    let gone = second
        .submit(
            &members,
            &remove,
            &[("user", &colleague_id), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(gone.status(), 404);
}
