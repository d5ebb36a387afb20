//! The `migrate` binary of the example application: the shared CLI bound to its `Migrator` and
//! to every entity of its `entity` crate (found by `build.rs`).

mod entities {
    include!(concat!(env!("OUT_DIR"), "/entities.rs"));
}

fn main() -> std::process::ExitCode {
    migrate_cli::main::<migration::Migrator>(migrate_cli::Project {
        migration_dir: migration::MIGRATION_DIR,
        register_entities: entities::register_entities,
    })
}
