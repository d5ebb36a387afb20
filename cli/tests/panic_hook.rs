//! A panic in the `migrate` command is one `error:` line with exit status 2, secrets hidden.
//!
//! The hook ends the process, so the test runs itself again as a child that panics.

use std::process::Command;

const CHILD: &str = "MIGRATE_CLI_PANIC_HOOK_CHILD";

#[test]
fn a_panic_is_one_masked_error_line_and_status_2() {
    if std::env::var_os(CHILD).is_some() {
        migrate_cli::install_panic_hook();
        autogen::database::remember_secret("Tiger99-secret");
        panic!("lost\nthe connection to postgres://u:Tiger99-secret@h/db and scott:Tiger99x@h:1/db");
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "a_panic_is_one_masked_error_line_and_status_2", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(errors[0].contains("internal error") && errors[0].contains("lost the connection"), "{err}");
    assert!(!err.contains("Tiger99") && !err.contains("panicked at"), "{err}");
}
