//! A table others point at.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "s_parent")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    // Type, nullability, default and a unique constraint change on a table that two others
    // reference, with rows on both sides: SQLite rebuilds it.
    #[sea_orm(unique, column_type = "String(StringLen::N(100))", default_value = "anon")]
    pub name: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
