//! Finds the example application's entities and writes `register_entities` for the binary, so
//! that a new entity is picked up without anyone updating a list; and embeds the checksum of
//! every migration module, so that the binary shipped alone still records and verifies them.
//! Where both are comes from `autogen.toml` at the workspace root.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    if let Err(error) = sea_orm_autogen_discover::write_from_config(&manifest, &out) {
        panic!("sea-orm-autogen: {error}");
    }
}
