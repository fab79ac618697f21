//! Files written by other tools (ATLAS.ti, NVivo, qc), kept outside the repository in
//! `../shared/external/qdpx`: the reader's limits (depth, size, GUIDs used once) do not refuse
//! any of them. Skipped where that folder is not there, as on a user's clone.

use std::path::PathBuf;

use kizuki_refi::{read_project, read_qdpx};

fn external(name: &str) -> Option<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/external/qdpx")
        .join(name);
    std::fs::read(&path).ok()
}

#[test]
fn real_projects_pass_the_limits() {
    let Some(nvivo) = external("nvivo_project.qdpx") else {
        eprintln!("skipped: ../shared/external/qdpx is not here");
        return;
    };
    let nvivo = read_qdpx(&nvivo).expect("NVivo's export reads");
    assert_eq!(nvivo.codes_with_parents().len(), 262);
    let demo = read_qdpx(&external("demo.qdpx").expect("qc's demo")).expect("qc's demo reads");
    assert_eq!(demo.sources.len(), 2);
    let atlas = external("Project.qde").expect("ATLAS.ti's project");
    let atlas = String::from_utf8(atlas).expect("UTF-8");
    // Its sources are not beside it: everything else, GUIDs included, is read, and each source
    // is named as missing with its selections rather than refusing the whole project.
    let atlas = read_project(&atlas, |_| None).expect("ATLAS.ti's project reads");
    assert!(atlas.sources.is_empty());
    assert!(!atlas.missing_sources.is_empty());
    assert!(atlas.missing_sources.iter().all(|m| !m.path.is_empty()));
    assert!(
        !atlas.codes_with_parents().is_empty(),
        "its codes come through"
    );
    // Its PDFs, picture, recording and videos are named with their kind, not taken for text.
    let mut kinds: Vec<&str> = atlas
        .other_sources
        .iter()
        .map(|o| o.kind.as_str())
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["Audio", "PDF", "PDF", "Picture", "Video", "Video"]);
    assert!(
        atlas
            .other_sources
            .iter()
            .any(|o| o.name == "cornflakes-n-milk.jpg" && o.kind == "Picture")
    );
    assert_eq!(atlas.missing_sources.len(), 6, "the six text sources");
}

#[test]
fn nvivo_names_itself_and_where_its_sources_are() {
    let Some(nvivo) = external("nvivo_project.qdpx") else {
        eprintln!("skipped: ../shared/external/qdpx is not here");
        return;
    };
    let nvivo = read_qdpx(&nvivo).expect("NVivo's export reads");
    assert_eq!(nvivo.origin.trim(), "NVivo for Mac 15.0.0");
    assert_eq!(
        kizuki_refi::PositionUnit::of(&nvivo.origin),
        kizuki_refi::PositionUnit::Utf16
    );
    assert!(!nvivo.sources.is_empty());
    assert!(
        nvivo.sources.iter().all(|s| !s.path.is_empty()),
        "each source says which file held its text"
    );
}
