//! The `migrate` binary of the example application: the shared CLI bound to its `Migrator`, to
//! every entity of its `entity` crate and to the checksums of its migration modules (both found
//! by `build.rs`).

mod entities {
    include!(concat!(env!("OUT_DIR"), "/entities.rs"));
}

mod checksums {
    include!(concat!(env!("OUT_DIR"), "/checksums.rs"));
}

fn main() -> std::process::ExitCode {
    migrate_cli::main::<migration::Migrator>(migrate_cli::Project {
        migration_dir: migration::MIGRATION_DIR,
        register_entities: entities::register_entities,
        checksums: checksums::MIGRATION_CHECKSUMS,
    })
}
