//! `sea-orm-autogen`: sets a SeaORM workspace up for the `migrate` command (`sea-orm-autogen
//! init`). Installed with `cargo install --path cli`.

fn main() -> std::process::ExitCode {
    migrate_cli::standalone_main()
}
