//! Columns that get added, dropped, renamed, retyped, made nullable and given defaults.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "s_cols", comment = "column changes, edited")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_type = "String(StringLen::N(100))")]
    pub title: String,
    #[sea_orm(column_type = "String(StringLen::N(40))", renamed_from = "old_name")]
    pub new_name: String,
    pub count: i64,
    #[sea_orm(column_type = "Decimal(Some((12, 4)))")]
    pub amount: Decimal,
    pub strict: Option<String>,
    pub loose: String,
    #[sea_orm(default_value = 7)]
    pub plain: i32,
    #[sea_orm(default_value = 2)]
    pub changed_default: i32,
    pub dropped_default: String,
    #[sea_orm(comment = "new comment")]
    pub noted: i32,
    pub happened_at: DateTimeUtc,
    pub loses_unique: i32,
    #[sea_orm(unique)]
    pub gains_unique: i32,
    pub loses_index: i32,
    #[sea_orm(indexed)]
    pub gains_index: i32,
    #[sea_orm(unique_key = "pair")]
    pub pair_a: i32,
    pub pair_b: i32,
    pub added: Option<String>,
    pub required: i32,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub added_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
