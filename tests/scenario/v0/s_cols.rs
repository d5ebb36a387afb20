//! Columns that get added, dropped, renamed, retyped, made nullable and given defaults.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "s_cols", comment = "column changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_type = "String(StringLen::N(50))")]
    pub title: String,
    #[sea_orm(column_type = "String(StringLen::N(40))")]
    pub old_name: String,
    pub dropped: Option<i32>,
    pub count: i32,
    #[sea_orm(column_type = "Decimal(Some((10, 2)))")]
    pub amount: Decimal,
    pub strict: String,
    pub loose: Option<String>,
    pub plain: i32,
    #[sea_orm(default_value = 1)]
    pub changed_default: i32,
    #[sea_orm(default_value = "x")]
    pub dropped_default: String,
    #[sea_orm(comment = "old comment")]
    pub noted: i32,
    pub happened_at: DateTime,
    #[sea_orm(unique)]
    pub loses_unique: i32,
    pub gains_unique: i32,
    #[sea_orm(indexed)]
    pub loses_index: i32,
    pub gains_index: i32,
    #[sea_orm(unique_key = "pair")]
    pub pair_a: i32,
    #[sea_orm(unique_key = "pair")]
    pub pair_b: i32,
}

impl ActiveModelBehavior for ActiveModel {}
