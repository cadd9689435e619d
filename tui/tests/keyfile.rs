//! Loading the key file: an explicit file must exist and parse; the default one is optional.

use imgslim_tui::keys::{Action, Key};

#[test]
fn explicit_key_file_is_applied_and_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys.toml");
    std::fs::write(&file, "[keys]\nfilter = [\"f\", \"ctrl-f\"]\n").unwrap();
    let keys = imgslim_tui::load_keys(Some(&file)).unwrap();
    assert_eq!(
        keys.keys_for(Action::Filter),
        vec![Key::parse("f").unwrap(), Key::ctrl('f')]
    );

    let missing = dir.path().join("nope.toml");
    let err = imgslim_tui::load_keys(Some(&missing)).unwrap_err();
    assert!(err.contains("nope.toml"), "{err}");

    std::fs::write(&file, "[keys]\nteleport = [\"t\"]\n").unwrap();
    let err = imgslim_tui::load_keys(Some(&file)).unwrap_err();
    assert!(
        err.contains("keys.toml") && err.contains("teleport"),
        "{err}"
    );
}
