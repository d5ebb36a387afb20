//! The `migrate` binary of the example application: the shared CLI bound to its `Migrator`.

fn main() -> std::process::ExitCode {
    migrate_cli::main::<migration::Migrator>(migration::MIGRATION_DIR)
}
