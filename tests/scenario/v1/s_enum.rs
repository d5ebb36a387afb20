//! An enum that gains a value.

use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "s_level")]
pub enum Level {
    #[sea_orm(string_value = "low")]
    Low,
    #[sea_orm(string_value = "high")]
    High,
    #[sea_orm(string_value = "urgent")]
    Urgent,
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "s_enum")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub level: Level,
}

impl ActiveModelBehavior for ActiveModel {}
