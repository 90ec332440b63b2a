//! CONTRIBUTING.md's "Where to add" names files: each must exist, so the map
//! cannot drift from the code.

#[test]
fn every_path_the_contributor_map_names_exists() {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{root}/CONTRIBUTING.md")).unwrap();
    let map = text
        .split("## Where to add")
        .nth(1)
        .expect("CONTRIBUTING.md has a \"Where to add\" section");
    // Every backticked word with a slash or a file extension is a path.
    let paths: Vec<&str> = map
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| {
            !w.contains(' ')
                && (w.contains('/')
                    || std::path::Path::new(w)
                        .extension()
                        .is_some_and(|e| e == "md"))
        })
        .collect();
    assert!(paths.len() >= 15, "too few paths found: {paths:?}");
    let missing: Vec<&&str> = paths
        .iter()
        .filter(|p| !std::path::Path::new(root).join(p).exists())
        .collect();
    assert!(
        missing.is_empty(),
        "CONTRIBUTING.md names missing paths: {missing:?}"
    );
}
