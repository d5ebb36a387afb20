//! Finds the example application's entities and writes `register_entities` for the binary, so
//! that a new entity is picked up without anyone updating a list.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("entities.rs");
    if let Err(error) =
        sea_orm_autogen_discover::write_registry("entity", &manifest.join("../entity/src"), &out)
    {
        panic!("entity discovery failed: {error}");
    }
}
