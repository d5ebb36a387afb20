//! The autogenerate pipeline:
//!
//! ```text
//! entities ──desired──┐
//!                     ├─> schema::Schema ──diff──> Vec<Change> ──plan──> steps ──render──> module / SQL / review
//! live DB ──inspect───┘                                                          └─ write: file + registration
//! ```
//!
//! Only `inspect` and `write` touch the outside world; the other stages are pure functions.

pub mod compare;
pub mod desired;
pub mod generate;
pub mod diff;
pub mod entity_parts;
pub mod inspect;
pub mod normalize;
pub mod parse;
pub mod plan;
pub mod render;
pub mod safety;
pub mod schema;
pub mod write;
