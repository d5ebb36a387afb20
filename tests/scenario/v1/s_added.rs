//! A table that appears, using an enum that appears.

use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "s_status")]
pub enum Status {
    #[sea_orm(string_value = "on")]
    On,
    #[sea_orm(string_value = "off")]
    Off,
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "s_added")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub status: Status,
    pub parent_id: Option<i32>,
    #[sea_orm(belongs_to, from = "parent_id", to = "id", on_delete = "Cascade")]
    pub parent: HasOne<super::s_parent::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
