//! A primary key that changes.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "s_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub a: i32,
    pub b: i32,
}

impl ActiveModelBehavior for ActiveModel {}
